/*
 * Every permission id the plugin checks, in one place. Pure constants: the admin panel imports this
 * file too (admin/src/permissions.ts), so the panel and the routes cannot disagree.
 */

/**
 * The users-permissions actions the rules read (every content-API route is one such action,
 * `plugin::private-messages.<controller>.<action>`, granted per role). These are privatemsg's
 * permissions: "write new messages" (and replies), "read private messages", "allow disabling private
 * messages", "write to roles" and "view deleted messages". A role lacking the read action could never
 * read a message; a role lacking the preferences action cannot change the setting, so a user is not
 * bound by a choice they can no longer undo.
 */
export const CONTENT_API_ACTIONS = {
  startThread: 'plugin::private-messages.threads.create',
  reply: 'plugin::private-messages.threads.reply',
  read: 'plugin::private-messages.threads.find',
  optOut: 'plugin::private-messages.preferences.update',
  /** The "send messages to roles" permission (the route listing the roles one may write to). */
  sendToRoles: 'plugin::private-messages.role-recipients.find',
  /** The "view deleted messages" permission (the route serving a deleted message's body). */
  viewDeleted: 'plugin::private-messages.deleted-message.view',
  /** Downloading one's own messaging data (GET /export). */
  exportOwn: 'plugin::private-messages.export.download',
} as const;

/** The plugin's admin RBAC actions (registered in bootstrap), as admin::hasPermissions names them. */
export const ADMIN_ACTIONS = {
  settingsRead: 'plugin::private-messages.settings.read',
  settingsUpdate: 'plugin::private-messages.settings.update',
  reportsManage: 'plugin::private-messages.reports.manage',
  /** Exporting and erasing a user's messaging data. */
  privacyManage: 'plugin::private-messages.privacy.manage',
  /** Reading the audit trail of admins' reads of message content. */
  auditRead: 'plugin::private-messages.audit.read',
} as const;

export type AdminActionName = keyof typeof ADMIN_ACTIONS;

const PLUGIN_PREFIX = 'plugin::private-messages.';

/** How bootstrap registers each RBAC action with the admin's action provider (its uid is the id without the plugin prefix). */
export const ADMIN_ACTION_DEFINITIONS = (
  [
    ['settingsRead', 'Read settings', 'Settings'],
    ['settingsUpdate', 'Update settings', 'Settings'],
    ['reportsManage', 'Moderate reported messages', 'Moderation'],
    ['privacyManage', 'Export and erase users\' messaging data', 'Privacy'],
    ['auditRead', 'Read the audit trail', 'Privacy'],
  ] as const
).map(([name, displayName, subCategory]) => ({ uid: ADMIN_ACTIONS[name].slice(PLUGIN_PREFIX.length), displayName, subCategory }));
