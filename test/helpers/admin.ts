import request from 'supertest';
import type { Core } from '@strapi/strapi';

import { ADMIN_ACTIONS } from '../../server/src/permissions';

/** The plugin's RBAC actions (server/src/permissions.ts). */
export { ADMIN_ACTIONS };

export const ADMIN_PASSWORD = 'Admin-pass-123';

export type TestAdmin = { id: number; email: string; firstname: string; lastname: string; token: string; roleId: number };

let counter = 0;
const unique = (prefix: string) => {
  counter += 1;
  return `${prefix}${counter}_${Math.random().toString(36).slice(2, 7)}`;
};

/** Logs an admin user in through the real `POST /admin/login` and returns the access token. */
export const adminLogin = async (strapi: Core.Strapi, email: string, password = ADMIN_PASSWORD) => {
  const res = await request(strapi.server.httpServer).post('/admin/login').send({ email, password });
  if (res.status !== 200 || !res.body?.data?.token) {
    throw new Error(`admin login failed for ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.data.token as string;
};

/** Creates an active admin user with the given admin role ids (through the admin's own user service), logged in. */
export const createAdmin = async (strapi: Core.Strapi, roleIds: number[], name = unique('admin')): Promise<TestAdmin> => {
  const email = `${name}@admins.example.test`.toLowerCase();
  const user = await strapi.service('admin::user').create({
    email,
    firstname: name,
    lastname: 'Tester',
    password: ADMIN_PASSWORD,
    isActive: true,
    roles: roleIds,
  });
  return { id: user.id, email, firstname: name, lastname: 'Tester', token: await adminLogin(strapi, email), roleId: roleIds[0] };
};

/** The built-in Super Admin role, which holds every action, the plugin's included. */
export const superAdminRoleId = async (strapi: Core.Strapi) => {
  const role = await strapi.service('admin::role').getSuperAdmin();
  if (!role) throw new Error('no Super Admin role');
  return role.id as number;
};

/** A super admin, logged in. */
export const createSuperAdmin = async (strapi: Core.Strapi) => createAdmin(strapi, [await superAdminRoleId(strapi)], unique('super'));

/** A new admin role holding exactly `actions` (e.g. ADMIN_ACTIONS.settingsRead), through the admin's role service. */
export const createAdminRole = async (strapi: Core.Strapi, actions: string[], name = unique('Role ')) => {
  const roleService = strapi.service('admin::role');
  const role = await roleService.create({ name, description: `holds ${actions.join(', ') || 'nothing'}` });
  if (actions.length > 0) await roleService.assignPermissions(role.id, actions.map((action) => ({ action })));
  return role as { id: number; name: string };
};

/** An admin whose only role holds exactly `actions`. */
export const createLimitedAdmin = async (strapi: Core.Strapi, actions: string[]) => {
  const role = await createAdminRole(strapi, actions);
  return createAdmin(strapi, [role.id]);
};

/** A supertest client on the plugin's admin routes (`/private-messages/...`), as `admin` or anonymous (null). */
export const asAdmin = (strapi: Core.Strapi, admin: Pick<TestAdmin, 'token'> | null) => {
  const http = () => request(strapi.server.httpServer);
  const auth = <T extends request.Test>(t: T) => (admin ? t.set('Authorization', `Bearer ${admin.token}`) : t);
  const BASE = '/private-messages';
  return {
    get: (path: string) => auth(http().get(`${BASE}${path}`)),
    post: (path: string, body?: object) => auth(http().post(`${BASE}${path}`)).send(body ?? {}),
    put: (path: string, body?: object) => auth(http().put(`${BASE}${path}`)).send(body ?? {}),
    del: (path: string) => auth(http().delete(`${BASE}${path}`)),
  };
};

/** The admins the moderation tests act as: a super admin, a moderator, a settings admin and one holding nothing. */
export const createModerationAdmins = async (strapi: Core.Strapi) => ({
  superAdmin: await createSuperAdmin(strapi),
  moderator: await createLimitedAdmin(strapi, [ADMIN_ACTIONS.reportsManage]),
  settingsAdmin: await createLimitedAdmin(strapi, [ADMIN_ACTIONS.settingsRead, ADMIN_ACTIONS.settingsUpdate]),
  nothingAdmin: await createLimitedAdmin(strapi, []),
});
