import type { Core } from '@strapi/strapi';

export { ADMIN_ACTIONS as ACTIONS, createAdminRole, superAdminRoleId } from '../../helpers/admin';

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
