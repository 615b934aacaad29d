import request from 'supertest';
import type { Core } from '@strapi/strapi';

export const PASSWORD = 'Secret-pass-123';

export type TestUser = { id: number; username: string; jwt: string; roleId: number };

let counter = 0;

export const roleByType = (strapi: Core.Strapi, type: string) =>
  strapi.db.query('plugin::users-permissions.role').findOne({ where: { type } });

/** Creates a users-permissions role through the real role tables. */
export const createRole = async (strapi: Core.Strapi, name: string) =>
  strapi.db.query('plugin::users-permissions.role').create({
    data: { name, type: name.toLowerCase().replace(/\W+/g, '-'), description: name },
  });

/** Grants content-API actions (`plugin::private-messages.threads.find`, ...) to a role. */
export const grant = async (strapi: Core.Strapi, roleId: number, actions: string[]) => {
  for (const action of actions) {
    await strapi.db.query('plugin::users-permissions.permission').create({ data: { action, role: roleId } });
  }
};

export const revoke = async (strapi: Core.Strapi, roleId: number, actions: string[]) => {
  await strapi.db.query('plugin::users-permissions.permission').deleteMany({ where: { role: roleId, action: { $in: actions } } });
};

/** Every content-API action of the plugin. */
export const pluginActions = (strapi: Core.Strapi) =>
  ((strapi.plugin('private-messages').routes as Record<string, { routes: { handler: string }[] }>)['content-api'].routes).map(
    (r) => `plugin::private-messages.${r.handler}`
  );

/** Registers a user through the real `/api/auth/local/register` route and logs them in. */
export const registerUser = async (strapi: Core.Strapi, username?: string): Promise<TestUser> => {
  counter += 1;
  const name = username ?? `user${counter}_${Math.random().toString(36).slice(2, 7)}`;
  const res = await request(strapi.server.httpServer)
    .post('/api/auth/local/register')
    .send({ username: name, email: `${name}@example.test`, password: PASSWORD })
    .expect(200);
  const user = await strapi.db
    .query('plugin::users-permissions.user')
    .findOne({ where: { id: res.body.user.id }, populate: ['role'] });
  return { id: user.id, username: user.username, jwt: res.body.jwt, roleId: user.role.id };
};

/** Logs in through `/api/auth/local` and returns a fresh JWT. */
export const login = async (strapi: Core.Strapi, identifier: string) => {
  const res = await request(strapi.server.httpServer)
    .post('/api/auth/local')
    .send({ identifier, password: PASSWORD })
    .expect(200);
  return res.body.jwt as string;
};

/** Moves a user to another role. */
export const setRole = (strapi: Core.Strapi, userId: number, roleId: number) =>
  strapi.db.query('plugin::users-permissions.user').update({ where: { id: userId }, data: { role: roleId } });
