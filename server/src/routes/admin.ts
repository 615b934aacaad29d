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
    { method: 'GET', path: '/roles', handler: 'admin-settings.roles', config: guardedBy(RBAC.settingsRead) },
    { method: 'GET', path: '/reports', handler: 'admin-reports.find', config: guardedBy(RBAC.reportsManage) },
    { method: 'POST', path: '/reports/:id/resolve', handler: 'admin-reports.resolve', config: guardedBy(RBAC.reportsManage) },
    { method: 'GET', path: '/reports/:id/attachments/:attachmentId', handler: 'admin-reports.attachment', config: guardedBy(RBAC.reportsManage) },
    { method: 'GET', path: '/suspensions', handler: 'admin-suspensions.find', config: guardedBy(RBAC.reportsManage) },
    { method: 'DELETE', path: '/suspensions/:userId', handler: 'admin-suspensions.delete', config: guardedBy(RBAC.reportsManage) },
  ],
} satisfies PluginRouter;
