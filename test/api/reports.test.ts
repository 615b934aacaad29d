import request from 'supertest';
import { as, reply, startThread } from '../helpers/api';
import { asAdmin, createModerationAdmins, type TestAdmin } from '../helpers/admin';
import { useStrapi } from '../helpers/setup';
import { captureEvents } from '../helpers/events';
import type { TestUser } from '../helpers/users';
import { expectValidationError, expectError } from '../helpers/assertions';

const ctx = useStrapi();
const REPORTED = 'private-messages.message.reported';
const DELETED = 'private-messages.message.deleted';

let ann: TestUser, bob: TestUser, cat: TestUser, dan: TestUser;
let superAdmin: TestAdmin, moderator: TestAdmin, settingsAdmin: TestAdmin, nothingAdmin: TestAdmin;

const capture = <T>(event: string, fn: () => Promise<T>) => captureEvents(ctx.strapi, event, fn);

const report = (user: TestUser | null, messageId: string, body: object = { reason: 'Spam' }) =>
  as(ctx.strapi, user).post(`/messages/${messageId}/report`, body);

/** Every report in the queue (newest first), with an optional status filter. */
const allReports = async (admin: TestAdmin, status?: string) =>
  (await asAdmin(ctx.strapi, admin).get(`/reports?pageSize=100${status ? `&status=${status}` : ''}`).expect(200)).body;

const reportById = async (id: string) => (await allReports(superAdmin)).data.find((r: any) => r.id === id);

beforeAll(async () => {
  // These tests send more messages per user than the default rate allows.
  await ctx.strapi.plugin('private-messages').service('settings').update({ rateLimit: { max: 0, windowSeconds: 60 } });
  [ann, bob, cat, dan] = await ctx.users(4);
  ({ superAdmin, moderator, settingsAdmin, nothingAdmin } = await createModerationAdmins(ctx.strapi));
});

describe('POST /messages/:id/report', () => {
  let threadId: string;
  let annMessage: string;
  beforeAll(async () => {
    const { thread, message } = await startThread(ctx.strapi, ann, [bob, cat], { subject: 'Group', body: 'Buy cheap pills' });
    threadId = thread.id;
    annMessage = message.id;
  });

  it('a member reports a message: 201 with the open report, and the event is emitted', async () => {
    const { result: res, seen } = await capture(REPORTED, () => report(bob, annMessage, { reason: '  Spam, clearly  ' }));
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.stringMatching(/^[a-z0-9]{24}$/),
      messageId: annMessage,
      reason: 'Spam, clearly',
      status: 'open',
      createdAt: expect.any(String),
    });
    expect(new Date(res.body.data.createdAt).toISOString()).toBe(res.body.data.createdAt);
    expect(seen).toEqual([
      { reportId: res.body.data.id, messageId: annMessage, threadId, reporterId: bob.id, reason: 'Spam, clearly' },
    ]);
  });

  it('the same reporter reporting the same message again is a 409, and no second report exists', async () => {
    const before = await ctx.strapi.db.query('plugin::private-messages.report').count();
    const { result: res, seen } = await capture(REPORTED, () => report(bob, annMessage, { reason: 'Again' }));
    expectError(res, 409);
    expect(seen).toEqual([]);
    expect(await ctx.strapi.db.query('plugin::private-messages.report').count()).toBe(before);
  });

  it('another member may report the same message', async () => {
    const res = await report(cat, annMessage, { reason: 'Me too' }).expect(201);
    expect(res.body.data.status).toBe('open');
  });

  it('concurrent reports by the same reporter store one report', async () => {
    const { message } = await startThread(ctx.strapi, ann, [bob], { body: 'race me' });
    const results = await Promise.all([1, 2, 3].map(() => report(bob, message.id)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  it('a non-member gets a 404, as for a message that does not exist', async () => {
    const { result: res, seen } = await capture(REPORTED, () => report(dan, annMessage));
    expectError(res, 404, 'NotFoundError');
    expect(seen).toEqual([]);
    expectError(await report(dan, 'abcdefghijklmnopqrstuvwx'), 404, 'NotFoundError');
  });

  it('a member who left the group, or removed the thread before the message, gets a 404', async () => {
    const { thread } = await startThread(ctx.strapi, ann, [bob, cat], { body: 'before' });
    const early = await reply(ctx.strapi, ann, thread.id, 'early');
    await as(ctx.strapi, cat).post(`/threads/${thread.id}/leave`).expect(204);
    expectError(await report(cat, early.id), 404, 'NotFoundError');

    await as(ctx.strapi, bob).del(`/threads/${thread.id}`).expect(204);
    const late = await reply(ctx.strapi, ann, thread.id, 'late');
    expectError(await report(bob, early.id), 404, 'NotFoundError');
    await report(bob, late.id).expect(201);
  });

  it('reporting one’s own message is a 400', async () => {
    const res = await report(ann, annMessage);
    expectValidationError(res);
  });

  it.each([
    ['an empty reason', { reason: '' }, ['reason']],
    ['a blank reason', { reason: '   ' }, ['reason']],
    ['a reason over 1000 characters', { reason: 'x'.repeat(1001) }, ['reason']],
    ['no reason', {}, ['reason']],
    ['a reason that is not a string', { reason: 42 }, ['reason']],
    ['an unknown key', { reason: 'Spam', severity: 'high' }, ['severity']],
  ])('%s is a 400', async (_name, body, path) => {
    const { message } = await startThread(ctx.strapi, ann, [bob], { body: 'validate me' });
    expectValidationError(await report(bob, message.id, body), path);
    expect(await ctx.strapi.db.query('plugin::private-messages.report').count({ where: { reporter: bob.id, message: { documentId: message.id } } })).toBe(0);
  });

  it('a reason of exactly 1000 characters is fine', async () => {
    const { message } = await startThread(ctx.strapi, ann, [bob], { body: 'long reason' });
    const res = await report(bob, message.id, { reason: 'y'.repeat(1000) }).expect(201);
    expect(res.body.data.reason).toHaveLength(1000);
  });

  it('an unknown query key and a malformed id are 400s', async () => {
    expectValidationError(await as(ctx.strapi, bob).post(`/messages/${annMessage}/report?x=1`, { reason: 'Spam' }), ['x']);
    expectValidationError(await report(bob, '123'));
  });

  it('an anonymous caller is refused', async () => {
    const res = await report(null, annMessage);
    expect([401, 403]).toContain(res.status);
    expect(res.body.data).toBeNull();
  });
});

describe('GET /private-messages/reports', () => {
  /** A thread of eight messages m1..m8, alternating between ann and bob. */
  let threadId: string;
  let messages: any[];
  let reports: Record<string, string>;
  beforeAll(async () => {
    const started = await startThread(ctx.strapi, ann, [bob], { subject: 'Context thread', body: 'm1' });
    threadId = started.thread.id;
    messages = [started.message];
    for (let i = 2; i <= 8; i += 1) messages.push(await reply(ctx.strapi, i % 2 === 0 ? bob : ann, threadId, `m${i}`));
    reports = {};
    // By bob: m1 (first), m5 (middle), m7 (near the end) are ann's.
    for (const [key, index] of [['first', 0], ['middle', 4], ['nearEnd', 6]] as const) {
      reports[key] = (await report(bob, messages[index].id, { reason: `about ${key}` }).expect(201)).body.data.id;
    }
    // By ann: m8 (the last) is bob's.
    reports.last = (await report(ann, messages[7].id, { reason: 'about last' }).expect(201)).body.data.id;
  });

  const bodiesOf = (r: any) => r.context.map((m: any) => m.body);

  it('lists the reported message, its thread, the reporter and the context, newest report first', async () => {
    const { data, meta } = await allReports(moderator);
    const ids = data.map((r: any) => r.id);
    const ours = [reports.last, reports.nearEnd, reports.middle, reports.first];
    expect(ids.filter((id: string) => ours.includes(id))).toEqual(ours);
    expect(meta.pagination).toEqual({
      page: 1,
      pageSize: 100,
      total: await ctx.strapi.db.query('plugin::private-messages.report').count(),
      pageCount: 1,
    });

    const middle = data.find((r: any) => r.id === reports.middle);
    expect(middle).toMatchObject({
      id: reports.middle,
      status: 'open',
      reason: 'about middle',
      createdAt: expect.any(String),
      reporter: { id: bob.id, username: bob.username },
      message: { id: messages[4].id, body: 'm5', deleted: false, author: { id: ann.id, username: ann.username } },
      thread: { id: threadId, subject: 'Context thread' },
      resolution: null,
      note: null,
      resolvedAt: null,
      resolvedBy: null,
    });
    // Three messages on each side, oldest first, the reported one flagged.
    expect(bodiesOf(middle)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
    expect(middle.context.map((m: any) => m.reported)).toEqual([false, false, false, true, false, false, false]);
    expect(middle.context.map((m: any) => m.id)).toEqual(messages.slice(1, 8).map((m) => m.id));
    expect(middle.context[0]).toMatchObject({ author: { id: bob.id }, deleted: false, createdAt: messages[1].createdAt });
  });

  it('the context stops at the ends of the thread', async () => {
    const { data } = await allReports(moderator);
    const byId = (id: string) => data.find((r: any) => r.id === id);
    expect(bodiesOf(byId(reports.first))).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(byId(reports.first).context[0].reported).toBe(true);
    expect(bodiesOf(byId(reports.nearEnd))).toEqual(['m4', 'm5', 'm6', 'm7', 'm8']);
    expect(byId(reports.nearEnd).context.map((m: any) => m.reported)).toEqual([false, false, false, true, false]);
    expect(bodiesOf(byId(reports.last))).toEqual(['m5', 'm6', 'm7', 'm8']);
    expect(byId(reports.last)).toMatchObject({ reporter: { id: ann.id }, message: { author: { id: bob.id } } });
  });

  it('the context of a report never mixes in another thread’s messages', async () => {
    const { data } = await allReports(moderator);
    const knex = ctx.strapi.db.connection;
    for (const r of data) {
      if (!r.message) continue;
      const rows = await knex('pm_messages as m')
        .join('pm_threads as t', 't.id', 'm.thread_id')
        .select('m.document_id', 't.document_id as thread')
        .whereIn('m.document_id', r.context.map((m: any) => m.id));
      expect(rows).toHaveLength(r.context.length);
      for (const row of rows) expect(row.thread).toBe(r.thread.id);
    }
  });

  it('is paginated: page and pageSize, with total and pageCount', async () => {
    const total = await ctx.strapi.db.query('plugin::private-messages.report').count();
    const all = (await allReports(moderator)).data.map((r: any) => r.id);
    const page1 = (await asAdmin(ctx.strapi, moderator).get('/reports?pageSize=2').expect(200)).body;
    const page2 = (await asAdmin(ctx.strapi, moderator).get('/reports?pageSize=2&page=2').expect(200)).body;
    expect(page1.meta.pagination).toEqual({ page: 1, pageSize: 2, total, pageCount: Math.ceil(total / 2) });
    expect(page2.meta.pagination).toEqual({ page: 2, pageSize: 2, total, pageCount: Math.ceil(total / 2) });
    expect([...page1.data, ...page2.data].map((r: any) => r.id)).toEqual(all.slice(0, 4));
    const beyond = (await asAdmin(ctx.strapi, moderator).get(`/reports?pageSize=2&page=${Math.ceil(total / 2) + 1}`).expect(200)).body;
    expect(beyond.data).toEqual([]);
    // The default page size.
    const byDefault = (await asAdmin(ctx.strapi, moderator).get('/reports').expect(200)).body;
    expect(byDefault.meta.pagination).toMatchObject({ page: 1, total });
    expect(byDefault.data.length).toBe(Math.min(total, byDefault.meta.pagination.pageSize));
  });

  it('filters by status', async () => {
    await asAdmin(ctx.strapi, moderator).post(`/reports/${reports.first}/resolve`, { action: 'dismiss' }).expect(200);
    const open = await allReports(moderator, 'open');
    const resolved = await allReports(moderator, 'resolved');
    expect(open.data.every((r: any) => r.status === 'open')).toBe(true);
    expect(resolved.data.every((r: any) => r.status === 'resolved')).toBe(true);
    expect(resolved.data.map((r: any) => r.id)).toContain(reports.first);
    expect(open.data.map((r: any) => r.id)).not.toContain(reports.first);
    expect(open.meta.pagination.total + resolved.meta.pagination.total).toBe(
      await ctx.strapi.db.query('plugin::private-messages.report').count()
    );
  });

  it.each([
    ['an unknown status', '?status=closed', ['status']],
    ['a page size over 100', '?pageSize=101', ['pageSize']],
    ['page 0', '?page=0', ['page']],
    ['a page that is not a number', '?page=two', ['page']],
    ['an unknown key', '?sort=asc', ['sort']],
  ])('%s is a 400', async (_name, query, path) => {
    expectValidationError(await asAdmin(ctx.strapi, moderator).get(`/reports${query}`), path);
  });
});

describe('POST /private-messages/reports/:id/resolve', () => {
  /** A fresh thread between ann (the author) and bob (the reporter), with one reported message of ann's. */
  const reported = async (body = 'Offensive words') => {
    const { thread, message } = await startThread(ctx.strapi, ann, [bob], { body });
    await reply(ctx.strapi, bob, thread.id, 'What?');
    const r = (await report(bob, message.id, { reason: 'Offensive' }).expect(201)).body.data;
    return { threadId: thread.id, messageId: message.id, reportId: r.id as string };
  };

  const resolve = (admin: TestAdmin | null, reportId: string, body: object) =>
    asAdmin(ctx.strapi, admin).post(`/reports/${reportId}/resolve`, body);

  afterEach(async () => {
    // Whatever a test did to ann, she may write again in the next one.
    const lift = await asAdmin(ctx.strapi, superAdmin).del(`/suspensions/${ann.id}`);
    expect([204, 404]).toContain(lift.status);
  });

  it('dismiss resolves the report and changes nothing else', async () => {
    const { threadId, messageId, reportId } = await reported();
    const other = (await report(bob, (await reply(ctx.strapi, ann, threadId, 'other')).id).expect(201)).body.data.id;
    const before = Date.now();
    const { result: res, seen } = await capture(DELETED, () => resolve(moderator, reportId, { action: 'dismiss', note: ' Not abusive ' }));
    expect(res.status).toBe(200);
    expect(seen).toEqual([]);
    expect(res.body.data).toMatchObject({
      id: reportId,
      status: 'resolved',
      resolution: 'dismiss',
      note: 'Not abusive',
      resolvedBy: { id: moderator.id, firstname: moderator.firstname, lastname: moderator.lastname, email: moderator.email },
      message: { id: messageId, deleted: false, body: 'Offensive words' },
    });
    const resolvedAt = new Date(res.body.data.resolvedAt).getTime();
    expect(resolvedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(resolvedAt).toBeLessThanOrEqual(Date.now() + 1000);
    // The list shows the same.
    expect(await reportById(reportId)).toMatchObject({ status: 'resolved', resolution: 'dismiss', note: 'Not abusive', resolvedBy: { id: moderator.id } });

    for (const user of [ann, bob]) {
      const view = (await as(ctx.strapi, user).get(`/threads/${threadId}`).expect(200)).body.data;
      expect(view.messages[0]).toMatchObject({ id: messageId, deleted: false, body: 'Offensive words' });
    }
    expect((await as(ctx.strapi, ann).get('/preferences').expect(200)).body.data.messagingEnabled).toBe(true);
    // Another report stays open.
    expect((await reportById(other)).status).toBe('open');
  });

  it('deleteMessage soft-deletes the message: members then see a placeholder', async () => {
    const { threadId, messageId, reportId } = await reported('Delete me');
    const { result: res, seen } = await capture(DELETED, () => resolve(superAdmin, reportId, { action: 'deleteMessage', note: 'Insults' }));
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      status: 'resolved',
      resolution: 'deleteMessage',
      note: 'Insults',
      resolvedBy: { id: superAdmin.id, email: superAdmin.email },
      message: { id: messageId, deleted: true },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ threadId, messageId, authorId: ann.id });

    for (const user of [ann, bob]) {
      const view = (await as(ctx.strapi, user).get(`/threads/${threadId}`).expect(200)).body.data;
      expect(view.messageCount).toBe(2);
      expect(view.messages[0]).toMatchObject({ id: messageId, deleted: true, body: null, author: { id: ann.id } });
      expect(view.messages[1]).toMatchObject({ deleted: false, body: 'What?' });
    }
    // The author may still write.
    await startThread(ctx.strapi, ann, [cat]);
    // Its context shows it as deleted.
    const listed = await reportById(reportId);
    expect(listed.context.find((m: any) => m.reported)).toMatchObject({ id: messageId, deleted: true });
  });

  it('deleteMessage on a message its author already deleted still resolves the report', async () => {
    const { messageId, reportId } = await reported();
    await as(ctx.strapi, ann).del(`/messages/${messageId}`).expect(204);
    const { result: res, seen } = await capture(DELETED, () => resolve(moderator, reportId, { action: 'deleteMessage' }));
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ status: 'resolved', resolution: 'deleteMessage', note: null, message: { deleted: true } });
    expect(seen).toEqual([]);
  });

  it('disableSender suspends the author’s messaging (not their preference), and nothing else', async () => {
    const { threadId, messageId, reportId } = await reported();
    const res = await resolve(moderator, reportId, { action: 'disableSender', note: 'Repeat offender' }).expect(200);
    expect(res.body.data).toMatchObject({ status: 'resolved', resolution: 'disableSender', note: 'Repeat offender', message: { deleted: false } });

    // A suspension, which the author cannot lift by turning messaging back on (test/api/suspensions.test.ts).
    expect((await as(ctx.strapi, ann).get('/preferences').expect(200)).body.data.messagingEnabled).toBe(true);
    const send = await as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: cat.id }], body: 'Hi' });
    expect(send.status).toBe(403);
    expect(send.body.error.name).toBe('ForbiddenError');
    expect(send.body.error.details.refused.map((r: any) => r.code)).toEqual(['sender_suspended']);
    const replyRes = await as(ctx.strapi, ann).post(`/threads/${threadId}/messages`, { body: 'Hi again' });
    expect(replyRes.status).toBe(403);
    const can = (await as(ctx.strapi, ann).get(`/can-message/${cat.id}`).expect(200)).body.data;
    expect(can.allowed).toBe(false);
    expect(can.reasons.map((r: any) => r.code ?? r)).toContain('sender_suspended');

    // The message stays; the reporter's messaging is untouched.
    const view = (await as(ctx.strapi, bob).get(`/threads/${threadId}`).expect(200)).body.data;
    expect(view.messages[0]).toMatchObject({ id: messageId, deleted: false });
    expect((await as(ctx.strapi, bob).get('/preferences').expect(200)).body.data.messagingEnabled).toBe(true);
  });

  it('resolving twice is a 409, and the first resolution is kept', async () => {
    const { reportId } = await reported();
    await resolve(moderator, reportId, { action: 'dismiss', note: 'first' }).expect(200);
    expectError(await resolve(superAdmin, reportId, { action: 'deleteMessage', note: 'second' }), 409);
    expect(await reportById(reportId)).toMatchObject({ resolution: 'dismiss', note: 'first', resolvedBy: { id: moderator.id }, message: { deleted: false } });
  });

  it('two moderators resolving at once: one wins, the other gets a 409', async () => {
    const { reportId } = await reported();
    const results = await Promise.all([
      resolve(moderator, reportId, { action: 'dismiss' }),
      resolve(superAdmin, reportId, { action: 'deleteMessage' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200)!;
    const listed = await reportById(reportId);
    expect(listed.resolution).toBe(winner.body.data.resolution);
    expect(listed.message.deleted).toBe(winner.body.data.resolution === 'deleteMessage');
  });

  it.each([
    ['an unknown action', { action: 'ban' }, ['action']],
    ['no action', { note: 'x' }, ['action']],
    ['a note that is not a string', { action: 'dismiss', note: 5 }, ['note']],
    ['a note over 2000 characters', { action: 'dismiss', note: 'n'.repeat(2001) }, ['note']],
    ['an unknown key', { action: 'dismiss', banDays: 3 }, ['banDays']],
  ])('%s is a 400 and the report stays open', async (_name, body, path) => {
    const { reportId } = await reported();
    expectValidationError(await resolve(moderator, reportId, body), path);
    expect((await reportById(reportId)).status).toBe('open');
  });

  it('an unknown report is a 404, a malformed id and an unknown query key are 400s', async () => {
    expectError(await resolve(moderator, 'abcdefghijklmnopqrstuvwx', { action: 'dismiss' }), 404, 'NotFoundError');
    expectValidationError(await resolve(moderator, '42', { action: 'dismiss' }));
    const { reportId } = await reported();
    expectValidationError(await asAdmin(ctx.strapi, moderator).post(`/reports/${reportId}/resolve?x=1`, { action: 'dismiss' }), ['x']);
  });
});

describe('RBAC on the moderation routes', () => {
  let reportId: string;
  beforeAll(async () => {
    const { message } = await startThread(ctx.strapi, ann, [bob], { body: 'guarded' });
    reportId = (await report(bob, message.id).expect(201)).body.data.id;
  });

  it('an admin without reports.manage gets a 403 on both routes, and the report stays open', async () => {
    for (const admin of [settingsAdmin, nothingAdmin]) {
      const list = await asAdmin(ctx.strapi, admin).get('/reports');
      expect(list.status).toBe(403);
      expect(list.body).toMatchObject({ data: null, error: { status: 403 } });
      const res = await asAdmin(ctx.strapi, admin).post(`/reports/${reportId}/resolve`, { action: 'deleteMessage' });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ data: null, error: { status: 403 } });
    }
    expect(await reportById(reportId)).toMatchObject({ status: 'open', message: { deleted: false } });
  });

  it('an anonymous caller, or one with a users-permissions JWT, gets a 401 on both routes', async () => {
    for (const auth of [null, bob.jwt]) {
      const set = (t: request.Test) => (auth ? t.set('Authorization', `Bearer ${auth}`) : t);
      const http = () => request(ctx.strapi.server.httpServer);
      const list = await set(http().get('/private-messages/reports'));
      expect(list.status).toBe(401);
      expect(list.body).toMatchObject({ data: null, error: { status: 401 } });
      const res = await set(http().post(`/private-messages/reports/${reportId}/resolve`)).send({ action: 'dismiss' });
      expect(res.status).toBe(401);
    }
    expect((await reportById(reportId)).status).toBe('open');
  });

  it('an admin holding only reports.manage may list and resolve', async () => {
    await asAdmin(ctx.strapi, moderator).get('/reports').expect(200);
    const res = await asAdmin(ctx.strapi, moderator).post(`/reports/${reportId}/resolve`, { action: 'dismiss' }).expect(200);
    expect(res.body.data.resolvedBy).toMatchObject({ id: moderator.id });
  });
});
