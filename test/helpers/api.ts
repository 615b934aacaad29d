import request from 'supertest';
import type { Core } from '@strapi/strapi';
import type { TestUser } from './users';

const BASE = '/api/private-messages';

/** A supertest client acting as `user` on the plugin's content API. */
export const as = (strapi: Core.Strapi, user: TestUser | null) => {
  const http = () => request(strapi.server.httpServer);
  const auth = <T extends request.Test>(t: T) => (user ? t.set('Authorization', `Bearer ${user.jwt}`) : t);
  return {
    get: (path: string) => auth(http().get(`${BASE}${path}`)),
    post: (path: string, body?: object) => auth(http().post(`${BASE}${path}`)).send(body ?? {}),
    put: (path: string, body?: object) => auth(http().put(`${BASE}${path}`)).send(body ?? {}),
    del: (path: string) => auth(http().delete(`${BASE}${path}`)),
  };
};

export const startThread = async (
  strapi: Core.Strapi,
  author: TestUser,
  recipients: TestUser[],
  extra: Record<string, unknown> = {}
) => {
  const res = await as(strapi, author)
    .post('/threads', {
      recipients: recipients.map((r) => ({ type: 'user', id: r.id })),
      body: 'Hello there',
      ...extra,
    })
    .expect(201);
  return res.body.data as { thread: any; message: any };
};

export const reply = async (strapi: Core.Strapi, author: TestUser, threadId: string, body = 'A reply') =>
  (await as(strapi, author).post(`/threads/${threadId}/messages`, { body }).expect(201)).body.data;

/** `{threads, messages}` of GET /unread-count (its `requests` is checked where requests are tested). */
export const unreadCount = async (strapi: Core.Strapi, user: TestUser) => {
  const { threads, messages } = (await as(strapi, user).get('/unread-count').expect(200)).body.data as { threads: number; messages: number };
  return { threads, messages };
};
