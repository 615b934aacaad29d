/** The plugin's RBAC actions (registered by the server in bootstrap), as the admin panel checks them. */
export const PERMISSIONS = {
  settingsRead: [{ action: 'plugin::private-messages.settings.read', subject: null }],
  settingsUpdate: [{ action: 'plugin::private-messages.settings.update', subject: null }],
  reportsManage: [{ action: 'plugin::private-messages.reports.manage', subject: null }],
};
