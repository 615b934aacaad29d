import contentApi from '../../server/src/routes/content-api';
import adminRoutes from '../../server/src/routes/admin';
import { ADMIN_ACTION_DEFINITIONS, ADMIN_ACTIONS, CONTENT_API_ACTIONS } from '../../server/src/permissions';
import { PERMISSIONS } from '../../admin/src/permissions';

/** The permission ids live in server/src/permissions.ts; everything that names one must agree with it. */
describe('permission ids', () => {
  it('names a content-API route for every users-permissions action the rules read', () => {
    const routeActions = new Set(contentApi.routes.map((r) => `plugin::private-messages.${r.handler}`));
    for (const action of Object.values(CONTENT_API_ACTIONS)) expect(routeActions).toContain(action);
  });

  it('guards every admin route with one of the RBAC actions, and uses each of them', () => {
    const guards = adminRoutes.routes.map((r) => {
      const policy = (r.config?.policies ?? []).find((p: any) => p?.name === 'admin::hasPermissions') as any;
      return policy?.config?.actions?.[0];
    });
    expect(guards.every((g) => Object.values(ADMIN_ACTIONS).includes(g))).toBe(true);
    expect(new Set(guards)).toEqual(new Set(Object.values(ADMIN_ACTIONS)));
  });

  it('registers the RBAC actions the routes check', () => {
    expect(ADMIN_ACTION_DEFINITIONS.map((d) => `plugin::private-messages.${d.uid}`).sort()).toEqual(Object.values(ADMIN_ACTIONS).sort());
  });

  it('checks the same RBAC actions in the admin panel', () => {
    for (const [name, action] of Object.entries(ADMIN_ACTIONS)) {
      expect(PERMISSIONS[name as keyof typeof PERMISSIONS]).toEqual([{ action, subject: null }]);
    }
  });
});
