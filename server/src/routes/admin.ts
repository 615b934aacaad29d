import type { PluginRouter } from './types';
import { ADMIN_ACTIONS as RBAC } from '../permissions';

const guardedBy = (action: string) => ({
  policies: ['admin::isAuthenticatedAdmin', { name: 'admin::hasPermissions', config: { actions: [action] } }],
});

/** Admin routes, under /private-messages, each guarded by one of the plugin's RBAC actions. */
export default {
  type: 'admin',
  routes: [
    { method: 'GET', path: '/settings', handler: 'admin-settings.find', config: guardedBy(RBAC.settingsRead) },
    { method: 'PUT', path: '/settings', handler: 'admin-settings.update', config: guardedBy(RBAC.settingsUpdate) },
    { method: 'GET', path: '/settings/email-texts', handler: 'admin-email-texts.defaults', config: guardedBy(RBAC.settingsRead) },
    { method: 'POST', path: '/settings/email-texts/preview', handler: 'admin-email-texts.preview', config: guardedBy(RBAC.settingsRead) },
    { method: 'POST', path: '/settings/email-texts/test', handler: 'admin-email-texts.test', config: guardedBy(RBAC.settingsUpdate) },
    { method: 'GET', path: '/roles', handler: 'admin-settings.roles', config: guardedBy(RBAC.settingsRead) },
    { method: 'GET', path: '/reports', handler: 'admin-reports.find', config: guardedBy(RBAC.reportsManage) },
    { method: 'POST', path: '/reports/:id/resolve', handler: 'admin-reports.resolve', config: guardedBy(RBAC.reportsManage) },
    { method: 'GET', path: '/reports/:id/attachments/:attachmentId', handler: 'admin-reports.attachment', config: guardedBy(RBAC.reportsManage) },
    { method: 'GET', path: '/suspensions', handler: 'admin-suspensions.find', config: guardedBy(RBAC.reportsManage) },
    { method: 'DELETE', path: '/suspensions/:userId', handler: 'admin-suspensions.delete', config: guardedBy(RBAC.reportsManage) },
    { method: 'GET', path: '/requests/stats', handler: 'admin-requests.stats', config: guardedBy(RBAC.reportsManage) },
    // Privacy: erasure and export of one user's data, investigations, and the audit trail (append-only: no route changes an entry).
    { method: 'POST', path: '/users/:id/erase', handler: 'admin-privacy.erase', config: guardedBy(RBAC.privacyManage) },
    { method: 'GET', path: '/users/:id/export', handler: 'admin-privacy.export', config: guardedBy(RBAC.privacyManage) },
    { method: 'GET', path: '/threads/:id', handler: 'admin-privacy.openThread', config: guardedBy(RBAC.reportsManage) },
    { method: 'GET', path: '/audit', handler: 'admin-audit.find', config: guardedBy(RBAC.auditRead) },
  ],
} satisfies PluginRouter;
