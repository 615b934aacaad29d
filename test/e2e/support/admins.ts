import type { Core } from '@strapi/strapi';

/** The plugin's RBAC actions (server/src/routes/admin.ts). */
export const ACTIONS = {
  settingsRead: 'plugin::private-messages.settings.read',
  settingsUpdate: 'plugin::private-messages.settings.update',
  reportsManage: 'plugin::private-messages.reports.manage',
} as const;

export const ADMIN_PASSWORD = 'E2e-admin-pass-123';

export type E2EAdmin = { id: number; email: string; firstname: string; lastname: string; password: string };

/** An active admin user with the given admin roles, made through the admin's own user service. */
export const createAdmin = async (
  strapi: Core.Strapi,
  input: { firstname: string; lastname: string; email: string; roles: number[] },
): Promise<E2EAdmin> => {
  const user = await strapi.service('admin::user').create({
    ...input,
    email: input.email.toLowerCase(),
    password: ADMIN_PASSWORD,
    isActive: true,
  });
  return {
    id: user.id,
    email: input.email.toLowerCase(),
    firstname: input.firstname,
    lastname: input.lastname,
    password: ADMIN_PASSWORD,
  };
};

export const superAdminRoleId = async (strapi: Core.Strapi) => {
  const role = await strapi.service('admin::role').getSuperAdmin();
  if (!role) throw new Error('no Super Admin role');
  return role.id as number;
};

/** A new admin role holding exactly `actions`, through the admin's role service (as the Roles page does). */
export const createAdminRole = async (strapi: Core.Strapi, name: string, actions: string[]) => {
  const roles = strapi.service('admin::role');
  const role = await roles.create({ name, description: `E2E: ${actions.join(', ') || 'nothing'}` });
  if (actions.length > 0)
    await roles.assignPermissions(
      role.id,
      actions.map((action) => ({ action, subject: null })),
    );
  return role.id as number;
};
