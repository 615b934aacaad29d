import type { Core } from '@strapi/strapi';
import { grant, pluginActions, roleByType } from '../../helpers/users';

/** Calls to the running Strapi over HTTP, as a site front end or an admin client would. */
export type Reply = { status: number; body: any };

export const call = async (
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Reply> => {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
};

export type SiteUser = { id: number; username: string; jwt: string };

/** Registers a site user through the real `POST /api/auth/local/register`. */
export const registerUser = async (baseUrl: string, username: string): Promise<SiteUser> => {
  const res = await call(baseUrl, 'POST', '/api/auth/local/register', {
    body: { username, email: `${username}@example.test`, password: 'Site-pass-123' },
  });
  if (res.status !== 200) throw new Error(`register ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id, username, jwt: res.body.jwt };
};

/**
 * What a site builder does in Users & Permissions: grant the plugin's content-API actions to
 * Authenticated (all but reading deleted messages, which is for staff).
 */
export const grantMessagingToAuthenticated = async (strapi: Core.Strapi) => {
  const role = await roleByType(strapi, 'authenticated');
  await grant(
    strapi,
    role.id,
    pluginActions(strapi).filter((a) => !a.endsWith('deleted-message.view')),
  );
};

/** `POST /api/private-messages/threads` as `author`. */
export const startThread = (
  baseUrl: string,
  author: SiteUser,
  recipients: SiteUser[],
  body: string,
  subject?: string,
) =>
  call(baseUrl, 'POST', '/api/private-messages/threads', {
    token: author.jwt,
    body: { recipients: recipients.map((r) => ({ type: 'user', id: r.id })), body, ...(subject ? { subject } : {}) },
  });
