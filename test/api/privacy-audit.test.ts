import { as, reply, startThread } from '../helpers/api';
import { ADMIN_ACTIONS, asAdmin, createLimitedAdmin, createModerationAdmins, type TestAdmin } from '../helpers/admin';
import { expectError } from '../helpers/assertions';
import { useStrapi } from '../helpers/setup';
import type { TestUser } from '../helpers/users';

/**
 * Every admin read of message content writes an audit entry in the same request: a report's
 * context, an investigation's thread (with its required reason), a user's export, an erasure.
 * The trail is listed with filters and a cursor, no route changes or deletes an entry, deleting an
 * admin keeps theirs, and the cron purges what is older than auditRetentionDays.
 */
const ctx = useStrapi();
const db = () => ctx.strapi.db.connection;
let ann: TestUser, bob: TestUser;
let superAdmin: TestAdmin, moderator: TestAdmin, nothingAdmin: TestAdmin, auditor: TestAdmin, privacyAdmin: TestAdmin;

const entries = async (admin: TestAdmin, query = '') => (await asAdmin(ctx.strapi, admin).get(`/audit${query}`).expect(200)).body;

beforeAll(async () => {
  await ctx.strapi.plugin('private-messages').service('settings').update({ rateLimit: { max: 0, windowSeconds: 60 } });
  [ann, bob] = await ctx.users(2);
  ({ superAdmin, moderator, nothingAdmin } = await createModerationAdmins(ctx.strapi));
  auditor = await createLimitedAdmin(ctx.strapi, [ADMIN_ACTIONS.auditRead]);
  privacyAdmin = await createLimitedAdmin(ctx.strapi, [ADMIN_ACTIONS.privacyManage]);
});

describe('reads of message content are audited', () => {
  let threadId: string;
  let reportId: string;
  let messageId: string;
  beforeAll(async () => {
    const started = await startThread(ctx.strapi, ann, [bob], { body: 'Rude words' });
    threadId = started.thread.id;
    messageId = started.message.id;
    reportId = (await as(ctx.strapi, bob).post(`/messages/${messageId}/report`, { reason: 'Rude' }).expect(201)).body.data.id;
  });

  it('a report list with its context: one entry per report shown, naming the author whose words were read', async () => {
    await asAdmin(ctx.strapi, moderator).get('/reports').expect(200);
    const { data } = await entries(auditor, `?action=report.view&admin=${moderator.id}`);
    expect(data).toEqual([
      expect.objectContaining({ action: 'report.view', admin: { id: moderator.id, name: `${moderator.firstname} Tester` }, reportId, messageId, threadId, userId: ann.id, reason: null }),
    ]);
  });

  it('opening a thread for an investigation requires a reason, and records it', async () => {
    await expectError(await asAdmin(ctx.strapi, moderator).get(`/threads/${threadId}`), 400);
    await expectError(await asAdmin(ctx.strapi, moderator).get(`/threads/${threadId}?reason=`), 400);
    await asAdmin(ctx.strapi, moderator).get('/threads/abcdefghijklmnopqrstuvwx?reason=Checking%20a%20complaint').expect(404);
    await reply(ctx.strapi, bob, threadId, 'And my answer');
    const res = await asAdmin(ctx.strapi, moderator).get(`/threads/${threadId}?reason=${encodeURIComponent('Complaint #12 by bob')}`).expect(200);
    expect(res.body.data.messages.map((m: any) => m.body)).toEqual(['Rude words', 'And my answer']);
    expect(res.body.data.members.map((m: any) => m.userId).sort()).toEqual([ann.id, bob.id].sort());
    const { data } = await entries(auditor, '?action=thread.open');
    expect(data).toEqual([expect.objectContaining({ action: 'thread.open', threadId, reason: 'Complaint #12 by bob', admin: expect.objectContaining({ id: moderator.id }) })]);
  });

  it('an admin export of a user', async () => {
    await asAdmin(ctx.strapi, privacyAdmin).get('/users/999999/export').expect(404);
    const res = await asAdmin(ctx.strapi, privacyAdmin).get(`/users/${bob.id}/export`).expect(200);
    expect(JSON.parse(res.text).user).toEqual({ id: bob.id });
    const { data } = await entries(auditor, `?user=${bob.id}`);
    expect(data.map((e: any) => e.action)).toContain('user.export');
  });
});

describe('GET /private-messages/audit', () => {
  it('lists newest first with a cursor, filters by admin, user and action, refuses bad filters', async () => {
    for (let i = 0; i < 3; i += 1) await asAdmin(ctx.strapi, superAdmin).get(`/users/${ann.id}/export`).expect(200);
    const first = await entries(auditor, `?admin=${superAdmin.id}&limit=2`);
    expect(first.data).toHaveLength(2);
    expect(first.meta.nextCursor).toEqual(expect.any(String));
    const second = await entries(auditor, `?admin=${superAdmin.id}&limit=2&cursor=${first.meta.nextCursor}`);
    expect(second.data).toHaveLength(1);
    expect(second.meta.nextCursor).toBeNull();
    const ids = [...first.data, ...second.data].map((e: any) => e.id);
    expect(new Set(ids).size).toBe(3);
    expect([...first.data, ...second.data].every((e: any) => e.userId === ann.id && e.action === 'user.export')).toBe(true);
    await expectError(await asAdmin(ctx.strapi, auditor).get('/audit?action=user.delete'), 400);
    await expectError(await asAdmin(ctx.strapi, auditor).get('/audit?cursor=abc'), 400);
    await expectError(await asAdmin(ctx.strapi, auditor).get('/audit?order=asc'), 400);
  });

  it('has no route that changes or deletes an entry', async () => {
    const [entry] = (await entries(superAdmin, '?limit=1')).data;
    for (const res of [
      await asAdmin(ctx.strapi, superAdmin).del(`/audit/${entry.id}`),
      await asAdmin(ctx.strapi, superAdmin).put(`/audit/${entry.id}`, { reason: 'x' }),
      await asAdmin(ctx.strapi, superAdmin).del('/audit'),
      await asAdmin(ctx.strapi, superAdmin).post('/audit', { action: 'thread.open' }),
    ]) {
      expect([404, 405]).toContain(res.status);
    }
    expect((await entries(superAdmin, '?limit=1')).data[0]).toEqual(entry);
  });

  it('keeps an admin\u2019s entries when the admin account is deleted (no cascade)', async () => {
    const gone = await createLimitedAdmin(ctx.strapi, [ADMIN_ACTIONS.privacyManage]);
    await asAdmin(ctx.strapi, gone).get(`/users/${ann.id}/export`).expect(200);
    await ctx.strapi.db.query('admin::user').delete({ where: { id: gone.id } });
    const { data } = await entries(auditor, `?admin=${gone.id}`);
    expect(data).toEqual([expect.objectContaining({ action: 'user.export', admin: { id: gone.id, name: `${gone.firstname} Tester` } })]);
  });

  it('answers 403 to an admin without audit.read, and each privacy route to one without its action', async () => {
    for (const admin of [nothingAdmin, moderator, privacyAdmin]) await expectError(await asAdmin(ctx.strapi, admin).get('/audit'), 403);
    for (const admin of [nothingAdmin, moderator, auditor]) {
      await expectError(await asAdmin(ctx.strapi, admin).get(`/users/${ann.id}/export`), 403);
      await expectError(await asAdmin(ctx.strapi, admin).post(`/users/${ann.id}/erase`, {}), 403);
    }
    for (const admin of [nothingAdmin, auditor, privacyAdmin]) {
      await expectError(await asAdmin(ctx.strapi, admin).get('/threads/abcdefghijklmnopqrstuvwx?reason=Looking'), 403);
    }
  });
});

describe('retention', () => {
  it('the purge removes entries older than auditRetentionDays and keeps the rest', async () => {
    await ctx.strapi.plugin('private-messages').service('settings').update({ auditRetentionDays: 30 });
    const before = Number((await db()('pm_audit_entries').count({ n: '*' }).first())?.n);
    const old = await db()('pm_audit_entries').orderBy('id').first();
    await db()('pm_audit_entries').where('id', old.id).update({ created_at: new Date(Date.now() - 31 * 86_400_000) });
    await ctx.strapi.plugin('private-messages').service('purge').run();
    expect(await db()('pm_audit_entries').where('id', old.id).first()).toBeUndefined();
    expect(Number((await db()('pm_audit_entries').count({ n: '*' }).first())?.n)).toBe(before - 1);
  });

  it('refuses a retention out of bounds', async () => {
    await expectError(await asAdmin(ctx.strapi, superAdmin).put('/settings', { auditRetentionDays: 0 }), 400);
    await expectError(await asAdmin(ctx.strapi, superAdmin).put('/settings', { erasure: 'shred' }), 400);
    const saved = (await asAdmin(ctx.strapi, superAdmin).put('/settings', { auditRetentionDays: 90, erasure: 'delete' }).expect(200)).body.data;
    expect(saved).toMatchObject({ auditRetentionDays: 90, erasure: 'delete' });
  });
});
