import { ADMIN_ACTIONS } from '../../server/src/permissions';

/** The plugin's RBAC actions (server/src/permissions.ts, registered by the server in bootstrap), as the admin panel checks them. */
export const PERMISSIONS = {
  settingsRead: [{ action: ADMIN_ACTIONS.settingsRead, subject: null }],
  settingsUpdate: [{ action: ADMIN_ACTIONS.settingsUpdate, subject: null }],
  reportsManage: [{ action: ADMIN_ACTIONS.reportsManage, subject: null }],
  privacyManage: [{ action: ADMIN_ACTIONS.privacyManage, subject: null }],
  auditRead: [{ action: ADMIN_ACTIONS.auditRead, subject: null }],
};
