import request from 'supertest';
import { as, reply, startThread } from '../helpers/api';
import { asAdmin, createModerationAdmins, type TestAdmin } from '../helpers/admin';
import { useStrapi } from '../helpers/setup';
import { captureEvents } from '../helpers/events';
import type { TestUser } from '../helpers/users';

/**
 * A moderator's "disableSender" is a suspension: its own state, which only an admin lifts. The
 * suspended user's own preference cannot undo it (a moderator's decision outranks the user's).
 */
const ctx = useStrapi();
const SUSPENDED = 'private-messages.user.suspended';
const UNSUSPENDED = 'private-messages.user.unsuspended';

let ann: TestUser, bob: TestUser, cat: TestUser;
let moderator: TestAdmin, superAdmin: TestAdmin, settingsAdmin: TestAdmin, nothingAdmin: TestAdmin;

const capture = <T>(event: string, fn: () => Promise<T>) => captureEvents(ctx.strapi, event, fn);

/** `author` writes to `reporter`, who reports it; returns the thread and the report. */
const reported = async (author: TestUser, reporter: TestUser, body = 'Offensive words') => {
  const { thread, message } = await startThread(ctx.strapi, author, [reporter], { body });
  const r = (await as(ctx.strapi, reporter).post(`/messages/${message.id}/report`, { reason: 'Offensive' }).expect(201)).body.data;
  return { threadId: thread.id as string, reportId: r.id as string };
};

const disableSender = (admin: TestAdmin, reportId: string, note?: string) =>
  asAdmin(ctx.strapi, admin).post(`/reports/${reportId}/resolve`, note ? { action: 'disableSender', note } : { action: 'disableSender' });

const suspensions = async (admin: TestAdmin = moderator, query = '?pageSize=100') =>
  (await asAdmin(ctx.strapi, admin).get(`/suspensions${query}`).expect(200)).body;

const refusedCodes = (res: request.Response) => res.body.error.details.refused.map((r: any) => r.code);

const expectSuspended = async (user: TestUser, threadId: string, to: TestUser) => {
  const send = await as(ctx.strapi, user).post('/threads', { recipients: [{ type: 'user', id: to.id }], body: 'Hi' });
  expect(send.status).toBe(403);
  expect(send.body.error.name).toBe('ForbiddenError');
  expect(send.body.error.details.refused).toContainEqual({
    recipient: { type: 'user', id: to.id },
    code: 'sender_suspended',
    message: 'A moderator suspended your private messages',
  });
  const replyRes = await as(ctx.strapi, user).post(`/threads/${threadId}/messages`, { body: 'Hi again' });
  expect(replyRes.status).toBe(403);
  expect(refusedCodes(replyRes)).toContain('sender_suspended');
  const can = (await as(ctx.strapi, user).get(`/can-message/${to.id}`).expect(200)).body.data;
  expect(can.allowed).toBe(false);
  expect(can.reasons).toContainEqual({ code: 'sender_suspended', message: 'A moderator suspended your private messages' });
};

beforeAll(async () => {
  await ctx.strapi.plugin('private-messages').service('settings').update({ rateLimit: { max: 0, windowSeconds: 60 } });
  [ann, bob, cat] = await ctx.users(3);
  ({ superAdmin, moderator, settingsAdmin, nothingAdmin } = await createModerationAdmins(ctx.strapi));
});

describe('disableSender suspends the sender', () => {
  let threadId: string;
  let reportId: string;
  let secondReportId: string;
  beforeAll(async () => {
    ({ threadId, reportId } = await reported(ann, bob));
    // A second report of ann's, by cat, still open when she is suspended.
    ({ reportId: secondReportId } = await reported(ann, cat, 'More offensive words'));
  });

  it('resolves the report, suspends the author without touching their preferences, and emits the event', async () => {
    const before = Date.now();
    const { result: res, seen } = await capture(SUSPENDED, () => disableSender(moderator, reportId, ' Repeat offender '));
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'resolved', resolution: 'disableSender', note: 'Repeat offender' });
    expect(seen).toEqual([{ userId: ann.id, reportId, byModerator: moderator.id }]);
    // The preference is the user's own: a moderator's decision is kept apart from it.
    expect((await as(ctx.strapi, ann).get('/preferences').expect(200)).body.data.messagingEnabled).toBe(true);

    const { data, meta } = await suspensions();
    expect(meta.pagination).toEqual({ page: 1, pageSize: 100, total: 1, pageCount: 1 });
    expect(data).toEqual([
      {
        user: { id: ann.id, username: ann.username, avatarUrl: expect.any(String) },
        suspendedAt: expect.any(String),
        suspendedBy: { id: moderator.id, firstname: moderator.firstname, lastname: moderator.lastname, email: moderator.email },
        reportId,
        note: 'Repeat offender',
      },
    ]);
    const at = new Date(data[0].suspendedAt).getTime();
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('refuses the suspended sender with sender_suspended: new threads, replies and can-message', async () => {
    await expectSuspended(ann, threadId, bob);
  });

  it('the user turning messaging back on does not lift it', async () => {
    await as(ctx.strapi, ann).put('/preferences', { messagingEnabled: false }).expect(200);
    const res = await as(ctx.strapi, ann).put('/preferences', { messagingEnabled: true }).expect(200);
    expect(res.body.data.messagingEnabled).toBe(true);
    await expectSuspended(ann, threadId, bob);
    const send = await as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: cat.id }], body: 'Hi' });
    expect(refusedCodes(send)).toEqual(['sender_suspended']);
  });

  it('a suspended user still receives messages; the reporter is untouched', async () => {
    const can = (await as(ctx.strapi, cat).get(`/can-message/${ann.id}`).expect(200)).body.data;
    expect(can).toEqual({ allowed: true, asRequest: false, reasons: [] });
    await startThread(ctx.strapi, cat, [ann], { body: 'Are you there?' });
    await reply(ctx.strapi, bob, threadId, 'Still here');
  });

  it('disableSender on another report of a suspended user resolves it, keeps the first suspension and emits nothing', async () => {
    const { result: res, seen } = await capture(SUSPENDED, () => disableSender(superAdmin, secondReportId, 'again'));
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'resolved', resolution: 'disableSender', resolvedBy: { id: superAdmin.id } });
    expect(seen).toEqual([]);
    const { data } = await suspensions();
    expect(data).toEqual([expect.objectContaining({ user: expect.objectContaining({ id: ann.id }), reportId, note: 'Repeat offender', suspendedBy: expect.objectContaining({ id: moderator.id }) })]);
  });
});

describe('lifting a suspension', () => {
  it('DELETE /suspensions/:userId lifts it: 204, the event, and the user may send again', async () => {
    const { seen, result: res } = await capture(UNSUSPENDED, () => asAdmin(ctx.strapi, moderator).del(`/suspensions/${ann.id}`));
    expect(res.status).toBe(204);
    expect(seen).toEqual([{ userId: ann.id, byModerator: moderator.id }]);
    expect((await suspensions()).data.map((s: any) => s.user.id)).not.toContain(ann.id);
    const can = (await as(ctx.strapi, ann).get(`/can-message/${bob.id}`).expect(200)).body.data;
    expect(can).toEqual({ allowed: true, asRequest: false, reasons: [] });
    await startThread(ctx.strapi, ann, [bob], { body: 'Sorry about that' });
  });

  it('lifting a user who is not suspended is a 404, and emits nothing', async () => {
    const { seen, result: res } = await capture(UNSUSPENDED, () => asAdmin(ctx.strapi, moderator).del(`/suspensions/${ann.id}`));
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ data: null, error: { status: 404, name: 'NotFoundError' } });
    expect(seen).toEqual([]);
    expect((await asAdmin(ctx.strapi, moderator).del('/suspensions/2147483647')).status).toBe(404);
  });

  it('a user suspended again after a lift is refused again', async () => {
    const { threadId, reportId } = await reported(ann, cat, 'Third time');
    await disableSender(moderator, reportId).expect(200);
    await expectSuspended(ann, threadId, cat);
    expect((await suspensions()).data[0]).toMatchObject({ user: { id: ann.id }, reportId, note: null });
    await asAdmin(ctx.strapi, moderator).del(`/suspensions/${ann.id}`).expect(204);
  });
});

describe('GET /private-messages/suspensions', () => {
  it('newest first, paginated with total and pageCount', async () => {
    for (const author of [bob, cat]) await disableSender(moderator, (await reported(author, ann)).reportId).expect(200);
    const page1 = await suspensions(moderator, '?pageSize=1');
    const page2 = await suspensions(moderator, '?pageSize=1&page=2');
    expect(page1.meta.pagination).toEqual({ page: 1, pageSize: 1, total: 2, pageCount: 2 });
    expect(page2.meta.pagination).toEqual({ page: 2, pageSize: 1, total: 2, pageCount: 2 });
    expect([...page1.data, ...page2.data].map((s: any) => s.user.id)).toEqual([cat.id, bob.id]);
    expect((await suspensions(moderator, '?page=3&pageSize=1')).data).toEqual([]);
    expect((await suspensions(moderator, '')).meta.pagination).toMatchObject({ page: 1, pageSize: 20, total: 2 });
    for (const user of [bob, cat]) await asAdmin(ctx.strapi, moderator).del(`/suspensions/${user.id}`).expect(204);
  });

  it.each([
    ['a page size over 100', '?pageSize=101', ['pageSize']],
    ['page 0', '?page=0', ['page']],
    ['a page that is not a number', '?page=two', ['page']],
    ['an unknown key', '?status=open', ['status']],
  ])('%s is a 400', async (_name, query, path) => {
    const res = await asAdmin(ctx.strapi, moderator).get(`/suspensions${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('ValidationError');
    expect(res.body.error.details.errors.map((e: any) => e.path)).toContainEqual(path);
  });

  it('DELETE with a malformed user id or an unknown query key is a 400', async () => {
    for (const path of ['/suspensions/abc', '/suspensions/0', '/suspensions/-3', `/suspensions/${ann.id}?force=1`]) {
      const res = await asAdmin(ctx.strapi, moderator).del(path);
      expect([path, res.status, res.body.error?.name]).toEqual([path, 400, 'ValidationError']);
    }
  });
});

describe('RBAC on the suspension routes', () => {
  beforeAll(async () => {
    await disableSender(moderator, (await reported(cat, bob)).reportId).expect(200);
  });

  it('an admin without reports.manage gets a 403 on both routes, and the suspension stays', async () => {
    for (const admin of [settingsAdmin, nothingAdmin]) {
      const list = await asAdmin(ctx.strapi, admin).get('/suspensions');
      expect(list.status).toBe(403);
      expect(list.body).toMatchObject({ data: null, error: { status: 403 } });
      const lift = await asAdmin(ctx.strapi, admin).del(`/suspensions/${cat.id}`);
      expect(lift.status).toBe(403);
      expect(lift.body).toMatchObject({ data: null, error: { status: 403 } });
    }
    expect((await suspensions()).data.map((s: any) => s.user.id)).toEqual([cat.id]);
  });

  it('an anonymous caller, or one with a users-permissions JWT, gets a 401 on both routes', async () => {
    for (const auth of [null, cat.jwt]) {
      const set = (t: request.Test) => (auth ? t.set('Authorization', `Bearer ${auth}`) : t);
      const http = () => request(ctx.strapi.server.httpServer);
      const list = await set(http().get('/private-messages/suspensions'));
      expect(list.status).toBe(401);
      expect(list.body).toMatchObject({ data: null, error: { status: 401 } });
      const lift = await set(http().delete(`/private-messages/suspensions/${cat.id}`));
      expect(lift.status).toBe(401);
    }
    expect((await suspensions()).data.map((s: any) => s.user.id)).toEqual([cat.id]);
  });

  it('a super admin may list and lift', async () => {
    expect((await suspensions(superAdmin)).data.map((s: any) => s.user.id)).toEqual([cat.id]);
    await asAdmin(ctx.strapi, superAdmin).del(`/suspensions/${cat.id}`).expect(204);
    await startThread(ctx.strapi, cat, [bob], { body: 'Back again' });
  });
});
