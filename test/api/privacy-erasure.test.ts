import request from 'supertest';
import { as, reply, startThread } from '../helpers/api';
import { asAdmin, createLimitedAdmin, createModerationAdmins, ADMIN_ACTIONS, type TestAdmin } from '../helpers/admin';
import { driftedCounters, threadIdOf } from '../helpers/counters';
import { useStrapi } from '../helpers/setup';
import { grant, type TestUser } from '../helpers/users';
import { listen, openStream } from '../helpers/sse';
import { searchAll } from '../helpers/search';

/**
 * Deleting a users-permissions user, by any path, erases their messaging data (anonymize by
 * default, or delete): no row of theirs stays in any plugin table, the others' counts stay exact,
 * and a thread nobody is left in goes. The admin erase route does the same, the account stays.
 */
const ctx = useStrapi();
const USER_UID = 'plugin::users-permissions.user';
const db = () => ctx.strapi.db.connection;
let superAdmin: TestAdmin, moderator: TestAdmin;

/**
 * Where each plugin table keeps a user: the columns checked after an erasure. Every table of the
 * plugin is listed: a new table must say where its user is (or that it holds none).
 */
const USER_COLUMNS: Record<string, string[]> = {
  pm_threads: ['starter_id'],
  pm_messages: ['author_id', 'audience_user_id'],
  pm_memberships: ['user_id'],
  pm_tags: ['owner_id'],
  pm_blocks: ['blocker_id', 'blocked_id'],
  pm_preferences: ['user_id'],
  pm_reports: ['reporter_id'],
  pm_outbox: ['user_id'],
  pm_suspensions: ['user_id'],
  pm_stream_tickets: ['user_id'],
  pm_idempotency_keys: ['user_id'],
  pm_context_asks: ['asker_id'],
  pm_contacts: ['user_id', 'contact_id'],
  pm_push_subscriptions: ['user_id'],
  pm_attachments: ['owner_id'],
  pm_import_map: [],
  // Replayed stream events hold ids only and last replaySeconds.
  pm_stream_events: [],
  // The audit trail records which user's data an admin read: kept (append-only) until its retention ends.
  pm_audit_entries: [],
};
/** Rows whose user the foreign keys would have set to null are orphans too. */
const NEVER_NULL: Record<string, string[]> = {
  pm_memberships: ['user_id'],
  pm_tags: ['owner_id'],
  pm_blocks: ['blocker_id', 'blocked_id'],
  pm_preferences: ['user_id'],
  pm_suspensions: ['user_id'],
  pm_stream_tickets: ['user_id'],
  pm_contacts: ['user_id', 'contact_id'],
};

const rowsOf = async (userId: number) => {
  const left: string[] = [];
  for (const [table, columns] of Object.entries(USER_COLUMNS)) {
    for (const column of columns) {
      const n = Number((await db()(table).count({ n: '*' }).where(column, userId).first())?.n);
      if (n > 0) left.push(`${table}.${column}: ${n}`);
    }
  }
  const maps = Number((await db()('pm_import_map').count({ n: '*' }).where({ kind: 'user', target_id: userId }).first())?.n);
  if (maps > 0) left.push(`pm_import_map: ${maps}`);
  for (const [table, columns] of Object.entries(NEVER_NULL)) {
    for (const column of columns) {
      const n = Number((await db()(table).count({ n: '*' }).whereNull(column).first())?.n);
      if (n > 0) left.push(`${table}.${column} null: ${n}`);
    }
  }
  const dangling = Number(
    (await db()('pm_memberships_tags_lnk as l').count({ n: '*' }).leftJoin('pm_memberships as ms', 'ms.id', 'l.membership_id').whereNull('ms.id').first())?.n
  );
  if (dangling > 0) left.push(`pm_memberships_tags_lnk dangling: ${dangling}`);
  return left;
};

/** Member counts and participant previews the rows define. */
const memberListsDrift = async () => {
  const threads = await db()('pm_threads').select('id', 'member_count', 'listed_member_count', 'participant_preview');
  const drift: unknown[] = [];
  for (const t of threads) {
    const members = await db()('pm_memberships').select('user_id', 'hidden').where('thread_id', t.id).orderBy('user_id');
    const preview = typeof t.participant_preview === 'string' ? JSON.parse(t.participant_preview) : t.participant_preview;
    const previewIds = (preview ?? []).map((p: { userId: number }) => p.userId);
    const listed = members.filter((m: any) => !m.hidden || m.hidden === 0 || m.hidden === false).map((m: any) => Number(m.user_id));
    if (Number(t.member_count) !== members.length || !previewIds.every((id: number) => listed.includes(id))) drift.push({ id: t.id, t, members });
  }
  return drift;
};

/** A user with data in every table: threads, replies, tags, blocks both ways, preferences, a report, a suspension, a ticket. */
const populate = async (victim: TestUser, others: TestUser[]) => {
  const [ann, bob, dan] = others;
  const oneToOne = await startThread(ctx.strapi, victim, [ann], { body: 'Private words' });
  const group = await startThread(ctx.strapi, ann, [victim, bob, dan], { body: 'Group hello' });
  await reply(ctx.strapi, victim, group.thread.id, 'Before the block');
  // dan blocks the victim: what the victim writes now is never dan's to see.
  await as(ctx.strapi, dan).post('/blocks', { userId: victim.id }).expect(201);
  await reply(ctx.strapi, victim, group.thread.id, 'Held back from dan');
  await as(ctx.strapi, victim).post('/blocks', { userId: bob.id }).expect(201);
  const tag = (await as(ctx.strapi, victim).post('/tags', { name: 'Work' }).expect(201)).body.data;
  await as(ctx.strapi, victim).put(`/threads/${group.thread.id}/tags`, { tags: [tag.id] }).expect(200);
  await as(ctx.strapi, victim).put('/preferences', { emailNotifications: 'never' }).expect(200);
  await as(ctx.strapi, victim).post('/stream/tickets', {}).expect(200);
  await as(ctx.strapi, victim).post(`/messages/${group.message.id}/report`, { reason: 'Rude' }).expect(201);
  const theirs = await reply(ctx.strapi, victim, oneToOne.thread.id, 'Reported words');
  const report = (await as(ctx.strapi, ann).post(`/messages/${theirs.id}/report`, { reason: 'Spam' }).expect(201)).body.data;
  await asAdmin(ctx.strapi, moderator).post(`/reports/${report.id}/resolve`, { action: 'disableSender' }).expect(200);
  return { oneToOne: oneToOne.thread.id as string, group: group.thread.id as string };
};

const expectErased = async (victim: TestUser, threads: string[]) => {
  expect(await rowsOf(victim.id)).toEqual([]);
  const ids = await Promise.all(threads.map((t) => threadIdOf(ctx.strapi, t).catch(() => 0)));
  expect(await driftedCounters(ctx.strapi, ids.filter(Boolean))).toEqual([]);
  expect(await memberListsDrift()).toEqual([]);
};

beforeAll(async () => {
  await ctx.strapi.plugin('private-messages').service('settings').update({ rateLimit: { max: 0, windowSeconds: 60 } });
  ({ superAdmin, moderator } = await createModerationAdmins(ctx.strapi));
});

describe('deleting the account erases, by every path', () => {
  const paths: [string, (victim: TestUser) => Promise<unknown>][] = [
    ['strapi.db.query().delete', (v) => ctx.strapi.db.query(USER_UID).delete({ where: { id: v.id } })],
    ['strapi.db.query().deleteMany', (v) => ctx.strapi.db.query(USER_UID).deleteMany({ where: { id: v.id } })],
    [
      'the document service',
      async (v) => {
        const { documentId } = await ctx.strapi.db.query(USER_UID).findOne({ where: { id: v.id } });
        await ctx.strapi.documents(USER_UID).delete({ documentId });
      },
    ],
    [
      'the content manager (admin panel)',
      async (v) => {
        const { documentId } = await ctx.strapi.db.query(USER_UID).findOne({ where: { id: v.id } });
        await request(ctx.strapi.server.httpServer)
          .delete(`/content-manager/collection-types/${USER_UID}/${documentId}`)
          .set('Authorization', `Bearer ${superAdmin.token}`)
          .expect(200);
      },
    ],
    [
      'the users-permissions API',
      async (v) => {
        const [deleter] = await ctx.users(1);
        await grant(ctx.strapi, deleter.roleId, ['plugin::users-permissions.user.destroy']);
        await request(ctx.strapi.server.httpServer).delete(`/api/users/${v.id}`).set('Authorization', `Bearer ${deleter.jwt}`).expect(200);
      },
    ],
  ];

  it.each(paths)('%s: no row of theirs in any plugin table, the others\u2019 counts exact (anonymize)', async (_name, remove) => {
    const [victim, ann, bob, dan] = await ctx.users(4);
    const threads = await populate(victim, [ann, bob, dan]);
    await remove(victim);
    expect(await ctx.strapi.db.query(USER_UID).findOne({ where: { id: victim.id } })).toBeNull();
    await expectErased(victim, [threads.oneToOne, threads.group]);

    // Anonymized: ann still reads the victim's words, by nobody; what dan had blocked is gone for everyone.
    const messages = (await as(ctx.strapi, ann).get(`/threads/${threads.group}/messages`).expect(200)).body.data;
    const bodies = messages.map((m: any) => m.body);
    expect(bodies).toEqual(expect.arrayContaining(['Before the block']));
    expect(bodies.join(' ')).not.toContain('Held back from dan');
    expect(messages.find((m: any) => m.body === 'Before the block').author).toBeNull();
    const thread = (await as(ctx.strapi, ann).get(`/threads/${threads.group}`).expect(200)).body.data;
    expect(thread.participants.map((p: any) => p.id)).not.toContain(victim.id);
    // The 1:1 keeps ann alone; a report the victim filed stays, without its reporter.
    // What they wrote during dan's block in a thread dan is not in was held back from nobody: it stays.
    const direct = (await as(ctx.strapi, ann).get(`/threads/${threads.oneToOne}/messages`).expect(200)).body.data;
    expect(direct.map((m: any) => m.body)).toEqual(expect.arrayContaining(['Private words', 'Reported words']));
    // The search index follows: ann still finds the anonymized words, never the held-back ones.
    expect((await searchAll(ctx.strapi, ann, { q: 'reported words' })).length).toBe(1);
    expect(await searchAll(ctx.strapi, ann, { q: 'held back' })).toEqual([]);
  });
});

describe('delete mode', () => {
  beforeAll(async () => {
    await ctx.strapi.plugin('private-messages').service('settings').update({ erasure: 'delete' });
  });
  afterAll(async () => {
    await ctx.strapi.plugin('private-messages').service('settings').update({ erasure: 'anonymize' });
  });

  it('makes their messages deleted placeholders without a body, and leaves nothing of theirs', async () => {
    const [victim, ann, bob, dan] = await ctx.users(4);
    const threads = await populate(victim, [ann, bob, dan]);
    await ctx.strapi.db.query(USER_UID).delete({ where: { id: victim.id } });
    await expectErased(victim, [threads.oneToOne, threads.group]);
    const rows = await db()('pm_messages as m')
      .join('pm_threads as t', 't.id', 'm.thread_id')
      .where('t.document_id', threads.group)
      .whereIn('m.body', ['Before the block', 'Held back from dan']);
    expect(rows).toEqual([]);
    const placeholders = await db()('pm_messages as m').join('pm_threads as t', 't.id', 'm.thread_id').where('t.document_id', threads.oneToOne).whereNotNull('m.deleted_at');
    expect(placeholders.length).toBeGreaterThan(0);
    expect(placeholders.every((m: any) => m.body === '' && m.author_id === null)).toBe(true);
    // Deleted words leave the search index with them.
    expect(await searchAll(ctx.strapi, ann, { q: 'reported words' })).toEqual([]);
    expect(await searchAll(ctx.strapi, ann, { q: 'before the block' })).toEqual([]);
  });
});

describe('a thread nobody is left in', () => {
  it('is deleted with its messages once its last member is erased', async () => {
    const [a, b] = await ctx.users(2);
    const { thread } = await startThread(ctx.strapi, a, [b]);
    const id = await threadIdOf(ctx.strapi, thread.id);
    await ctx.strapi.db.query(USER_UID).delete({ where: { id: a.id } });
    expect(await db()('pm_threads').where('id', id).first()).toBeTruthy();
    await ctx.strapi.db.query(USER_UID).delete({ where: { id: b.id } });
    expect(await db()('pm_threads').where('id', id).first()).toBeUndefined();
    expect(await db()('pm_messages').where('thread_id', id)).toEqual([]);
  });
});

describe('POST /private-messages/users/:id/erase', () => {
  it('erases without deleting the account, and records who did it', async () => {
    const privacyAdmin = await createLimitedAdmin(ctx.strapi, [ADMIN_ACTIONS.privacyManage]);
    const [victim, ann, bob, dan] = await ctx.users(4);
    const threads = await populate(victim, [ann, bob, dan]);
    await asAdmin(ctx.strapi, privacyAdmin).post(`/users/${victim.id}/erase`, { mode: 'anonymize' }).expect(204);
    expect(await ctx.strapi.db.query(USER_UID).findOne({ where: { id: victim.id } })).not.toBeNull();
    await expectErased(victim, [threads.oneToOne, threads.group]);
    const entry = await db()('pm_audit_entries').where({ action: 'user.erase', user_id: victim.id }).first();
    expect(Number(entry.admin_id)).toBe(privacyAdmin.id);
  });

  it('answers 404 for an unknown user, 400 for a bad mode, 403 without privacy.manage', async () => {
    const [user] = await ctx.users(1);
    await asAdmin(ctx.strapi, superAdmin).post('/users/999999/erase', {}).expect(404);
    await asAdmin(ctx.strapi, superAdmin).post(`/users/${user.id}/erase`, { mode: 'shred' }).expect(400);
    await asAdmin(ctx.strapi, moderator).post(`/users/${user.id}/erase`, {}).expect(403);
    await asAdmin(ctx.strapi, moderator).get(`/users/${user.id}/export`).expect(403);
  });
});

describe('open streams', () => {
  it('end when the user is erased, the account kept', async () => {
    const [user] = await ctx.users(1);
    const stream = await openStream(await listen(ctx.strapi), { jwt: user.jwt });
    expect(stream.status).toBe(200);
    await asAdmin(ctx.strapi, superAdmin).post(`/users/${user.id}/erase`, {}).expect(204);
    await stream.ended;
    stream.close();
  });
});

describe('sends racing an erasure', () => {
  it('leave no orphan row and answer no 5xx', async () => {
    const [victim, ann, bob] = await ctx.users(3);
    const { thread } = await startThread(ctx.strapi, ann, [victim, bob], { body: 'Group' });
    const sends = Array.from({ length: 12 }, (_, i) =>
      i % 2 === 0
        ? as(ctx.strapi, ann).post('/threads', { recipients: [{ type: 'user', id: victim.id }], body: `New ${i}` })
        : as(ctx.strapi, bob).post(`/threads/${thread.id}/messages`, { body: `Reply ${i}` })
    );
    const [answers] = await Promise.all([Promise.all(sends.map((s) => s.then((r) => r))), ctx.strapi.db.query(USER_UID).delete({ where: { id: victim.id } })]);
    expect(answers.filter((r) => r.status >= 500).map((r) => r.body)).toEqual([]);
    expect(await rowsOf(victim.id)).toEqual([]);
    expect(await driftedCounters(ctx.strapi)).toEqual([]);
    expect(await memberListsDrift()).toEqual([]);
  });
});

describe('every plugin table is accounted for', () => {
  it('lists each table the plugin defines', () => {
    const tables = Object.values(ctx.strapi.contentTypes)
      .filter((ct: any) => ct.uid.startsWith('plugin::private-messages.'))
      .map((ct: any) => ct.collectionName as string);
    expect(tables.filter((t) => !(t in USER_COLUMNS))).toEqual([]);
  });
});
