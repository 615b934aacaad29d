import { as, reply, startThread, unreadCount } from '../helpers/api';
import { asAdmin, createSuperAdmin, type TestAdmin } from '../helpers/admin';
import { useStrapi } from '../helpers/setup';
import type { TestUser } from '../helpers/users';
import { isMysql, isPostgres } from '../helpers/strapi';
import { waitFor } from '../helpers/wait';
import { recountMemberships } from '../../server/src/repositories/membership-read-state';
import { recountThreads } from '../../server/src/repositories/threads';

const ctx = useStrapi();
const DAY = 86_400_000;
const DAYS = 10;

const plugin = () => ctx.strapi.plugin('private-messages');
const purge = (now: Date) => plugin().service('purge').run(now) as Promise<{ purged: number }>;
const updateSettings = (changes: object) => plugin().service('settings').update(changes);
const knex = () => ctx.strapi.db.connection;
/** Waits until the clock is past `time` (deletion times on either side of a cutoff differ by at least 1 ms). */
const clockPast = async (time: number) => {
  while (Date.now() <= time) await new Promise((r) => setTimeout(r, Math.max(1, time - Date.now() + 1)));
};

/**
 * Statements stalled behind another transaction: waiting for a row lock (PostgreSQL, MySQL/MariaDB),
 * or for SQLite's one connection (held by that transaction; no query can ask the database then).
 */
const stalledStatements = async () => {
  const db = knex();
  if (isPostgres()) {
    return Number((await db.raw(`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)).rows[0].n);
  }
  if (isMysql()) {
    // Statements of this database still executing (InnoDB's innodb_trx does not always list a
    // statement waiting for a row lock as LOCK WAIT on MariaDB; the process list shows it running).
    const [rows] = await db.raw(
      `select count(*) as n from information_schema.processlist
        where db = database() and command = 'Query' and info not like '%information_schema.processlist%'`
    );
    return Number(rows[0].n);
  }
  return (db.client as any).pool.numPendingAcquires() as number;
};

const view = async (user: TestUser, threadId: string) =>
  (await as(ctx.strapi, user).get(`/threads/${threadId}?limit=100`).expect(200)).body.data;

const del = (user: TestUser, messageId: string) => as(ctx.strapi, user).del(`/messages/${messageId}`).expect(204);

/** The rows of pm_messages still there, of these documentIds. */
const existing = async (messageIds: string[]) =>
  (await knex()('pm_messages').select('document_id').whereIn('document_id', messageIds)).map((r: any) => r.document_id).sort();

const internalThreadIds = async (threadIds: string[]) =>
  (await knex()('pm_threads').select('id').whereIn('document_id', threadIds)).map((r: any) => Number(r.id));

/** Every stored count of the threads and their memberships. */
const snapshot = async (ids: number[]) => ({
  threads: await knex()('pm_threads').select('id', 'message_count', 'last_message_id', 'last_message_at').whereIn('id', ids).orderBy('id'),
  memberships: await knex()('pm_memberships')
    .select('id', 'user_id', 'message_count', 'unread_count', 'last_read_message_id', 'visible_after_message_id')
    .whereIn('thread_id', ids)
    .orderBy('id'),
});

/**
 * The stored counts are exact: recomputing them from the messages (recountThreads, and
 * recountMemberships, the definition of a member's counts) changes nothing.
 */
const expectExactCounts = async (threadIds: string[]) => {
  const ids = await internalThreadIds(threadIds);
  expect(ids).toHaveLength(threadIds.length);
  const before = await snapshot(ids);
  await recountThreads(knex(), ids);
  await recountMemberships(knex(), ids);
  expect(await snapshot(ids)).toEqual(before);
};

/** A point in time `DAYS` days after `at` (so the purge cutoff is `at`). */
const runAt = (at: number) => new Date(at + DAYS * DAY);

const eligible = async (cutoff: Date) => Number((await knex()('pm_messages').where('deleted_at', '<', cutoff).count({ n: '*' }))[0].n);

beforeAll(async () => {
  // Many messages per user here: no rate limit.
  await updateSettings({ purgeDeletedAfterDays: DAYS, rateLimit: { max: 0, windowSeconds: 60 } });
});

describe('purge of deleted messages', () => {
  it('removes messages deleted before the cutoff, keeps the rest, and every count stays exact', async () => {
    const [ann, bob, cat] = await ctx.users(3);

    // A group thread: m1..m6; bob reads after m3.
    const g = await startThread(ctx.strapi, ann, [bob, cat], { subject: 'Group', body: 'm1' });
    const G = g.thread.id;
    const m: any[] = [g.message];
    m.push(await reply(ctx.strapi, bob, G, 'm2'));
    m.push(await reply(ctx.strapi, ann, G, 'm3'));
    await as(ctx.strapi, bob).post(`/threads/${G}/read`).expect(200);
    m.push(await reply(ctx.strapi, cat, G, 'm4'));
    m.push(await reply(ctx.strapi, ann, G, 'm5'));
    m.push(await reply(ctx.strapi, bob, G, 'm6'));

    // A 1:1 thread whose last message goes.
    const h = await startThread(ctx.strapi, ann, [bob], { body: 'h1' });
    const H = h.thread.id;
    const h2 = await reply(ctx.strapi, ann, H, 'h2');

    // A thread whose only message goes.
    const s = await startThread(ctx.strapi, cat, [ann], { subject: 'Soon empty', body: 's1' });
    const S = s.thread.id;

    await expectExactCounts([G, H, S]);

    // Deleted long enough ago: m1, m2, m5, h2, s1. Deleted too recently: m3.
    await del(ann, m[0].id);
    await del(bob, m[1].id);
    await del(ann, m[4].id);
    await del(ann, h2.id);
    await del(cat, s.message.id);
    const cutoff = Date.now() + 1;
    await clockPast(cutoff);
    await del(ann, m[2].id);

    const all = [...m.map((x) => x.id), h.message.id, h2.id, s.message.id];
    expect(await eligible(new Date(cutoff))).toBe(5);

    // Not yet: the cutoff is before every deletion.
    expect(await purge(runAt(cutoff - 5000))).toEqual({ purged: 0 });
    expect(await existing(all)).toHaveLength(all.length);

    expect(await purge(runAt(cutoff))).toEqual({ purged: 5 });
    expect(await existing(all)).toEqual([m[2].id, m[3].id, m[5].id, h.message.id].sort());
    // Again: nothing left to purge.
    expect(await purge(runAt(cutoff))).toEqual({ purged: 0 });

    await expectExactCounts([G, H, S]);

    // What members see. Group: m3 (deleted, too recent), m4, m6 remain.
    // Writing a message reads everything before it.
    const expected = {
      [ann.id]: { unreadCount: 1 }, // read up to her m5 (gone now); m6 is bob's
      [bob.id]: { unreadCount: 0 }, // read up to his m6
      [cat.id]: { unreadCount: 1 }, // read up to her m4; m5 is gone, m6 is bob's
    };
    for (const user of [ann, bob, cat]) {
      const v = await view(user, G);
      expect(v.messages.map((x: any) => x.id)).toEqual([m[2].id, m[3].id, m[5].id]);
      expect(v.messages[0]).toMatchObject({ deleted: true, body: null });
      expect(v).toMatchObject({
        messageCount: 3,
        unreadCount: expected[user.id].unreadCount,
        lastMessage: { id: m[5].id, excerpt: 'm6', author: { id: bob.id } },
        lastMessageAt: m[5].createdAt,
      });
    }

    // 1:1: h1 is the last message again.
    for (const user of [ann, bob]) {
      const v = await view(user, H);
      expect(v).toMatchObject({
        messageCount: 1,
        unreadCount: user === bob ? 1 : 0,
        lastMessage: { id: h.message.id, excerpt: 'h1' },
        lastMessageAt: h.message.createdAt,
      });
      expect(v.messages.map((x: any) => x.id)).toEqual([h.message.id]);
    }

    // The emptied thread: no messages, nothing unread, and the inbox still renders it.
    for (const user of [cat, ann]) {
      const v = await view(user, S);
      expect(v).toMatchObject({ messageCount: 0, unreadCount: 0, lastMessage: null });
      expect(v.messages).toEqual([]);
      const inbox = (await as(ctx.strapi, user).get('/threads').expect(200)).body.data;
      expect(inbox.find((t: any) => t.id === S)).toMatchObject({ messageCount: 0, unreadCount: 0, lastMessage: null });
    }

    expect(await unreadCount(ctx.strapi, ann)).toEqual({ threads: 1, messages: 1 });
    expect(await unreadCount(ctx.strapi, bob)).toEqual({ threads: 1, messages: 1 }); // h1
    expect(await unreadCount(ctx.strapi, cat)).toEqual({ threads: 1, messages: 1 }); // m6

    // Purged messages are gone for every route.
    await as(ctx.strapi, ann).del(`/messages/${m[0].id}`).expect(404);
    await as(ctx.strapi, cat).post(`/messages/${m[1].id}/report`, { reason: 'gone' }).expect(404);

    // Later messages count from the exact state.
    await reply(ctx.strapi, ann, S, 's2');
    await reply(ctx.strapi, cat, G, 'm7');
    await expectExactCounts([G, H, S]);
    expect(await view(cat, S)).toMatchObject({ messageCount: 1, unreadCount: 1, lastMessage: { excerpt: 's2' } });
    expect(await view(bob, G)).toMatchObject({ messageCount: 4, unreadCount: 1 });
  });

  it('keeps counts exact for members who removed the thread, left it, or blocked the author', async () => {
    const [ann, bob, cat, dan] = await ctx.users(4);
    const g = await startThread(ctx.strapi, ann, [bob, cat, dan], { body: 'g1' });
    const G = g.thread.id;
    const early = await reply(ctx.strapi, ann, G, 'g2');
    // bob removes the thread: he will only see what comes after.
    await as(ctx.strapi, bob).del(`/threads/${G}`).expect(204);
    // dan leaves.
    await as(ctx.strapi, dan).post(`/threads/${G}/leave`).expect(204);
    // cat blocks ann: ann's later messages do not reach her.
    await as(ctx.strapi, cat).post('/blocks', { userId: ann.id }).expect(201);
    const hidden = await reply(ctx.strapi, ann, G, 'g3 (hidden from cat)');
    const hiddenKept = await reply(ctx.strapi, ann, G, 'g4 (hidden from cat)');
    const fromCat = await reply(ctx.strapi, cat, G, 'g5');
    await expectExactCounts([G]);
    const danBefore = await view(ann, G); // dan's membership is frozen; ann's view for reference
    expect(danBefore.messageCount).toBe(5);

    await del(ann, g.message.id);
    await del(ann, early.id);
    await del(ann, hidden.id);
    const cutoff = Date.now() + 1;
    await clockPast(cutoff);

    // (What earlier tests deleted is eligible too.)
    const before = await eligible(new Date(cutoff));
    expect(before).toBeGreaterThanOrEqual(3);
    expect(await purge(runAt(cutoff))).toEqual({ purged: before });
    expect(await existing([g.message.id, early.id, hidden.id])).toEqual([]);
    await expectExactCounts([G]);

    expect(await view(ann, G)).toMatchObject({ messageCount: 2, unreadCount: 1 });
    const bobView = await view(bob, G);
    expect(bobView.messages.map((x: any) => x.id)).toEqual([hiddenKept.id, fromCat.id]);
    expect(bobView).toMatchObject({ messageCount: 2, unreadCount: 2 });
    const catView = await view(cat, G);
    expect(catView.messages.map((x: any) => x.id)).toEqual([fromCat.id]);
    expect(catView).toMatchObject({ messageCount: 1, unreadCount: 0, lastMessage: { id: fromCat.id } });
    await as(ctx.strapi, dan).get(`/threads/${G}`).expect(404);
  });

  it('purges nothing when purgeDeletedAfterDays is 0', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread, message } = await startThread(ctx.strapi, ann, [bob], { body: 'keep me' });
    await del(ann, message.id);
    await updateSettings({ purgeDeletedAfterDays: 0 });
    try {
      expect(await eligible(new Date(Date.now() + 1000))).toBeGreaterThan(0);
      expect(await purge(new Date(Date.now() + 100 * 365 * DAY))).toEqual({ purged: 0 });
      expect(await existing([message.id])).toEqual([message.id]);
      expect(await view(bob, thread.id)).toMatchObject({ messageCount: 1, messages: [{ id: message.id, deleted: true }] });
    } finally {
      await updateSettings({ purgeDeletedAfterDays: DAYS });
    }
  });

  it('two runs at once do no harm: together they purge exactly what was eligible', async () => {
    const users = await ctx.users(3);
    const threadIds: string[] = [];
    const deleted: string[] = [];
    const kept: string[] = [];
    for (let t = 0; t < 4; t += 1) {
      const [a, b, c] = [users[t % 3], users[(t + 1) % 3], users[(t + 2) % 3]];
      const { thread, message } = await startThread(ctx.strapi, a, t % 2 ? [b] : [b, c], { body: `t${t} first` });
      threadIds.push(thread.id);
      kept.push(message.id);
      for (let i = 0; i < 5; i += 1) {
        const author = i % 2 ? b : a;
        const msg = await reply(ctx.strapi, author, thread.id, `t${t} m${i}`);
        if (i !== 2) {
          await del(author, msg.id);
          deleted.push(msg.id);
        } else kept.push(msg.id);
      }
    }
    const cutoff = new Date(Date.now() + 1);
    await clockPast(cutoff.getTime());
    const before = await eligible(cutoff);
    expect(before).toBeGreaterThanOrEqual(deleted.length);

    const results = await Promise.all([purge(runAt(cutoff.getTime())), purge(runAt(cutoff.getTime()))]);
    expect(results[0].purged + results[1].purged).toBe(before);
    expect(await eligible(cutoff)).toBe(0);
    expect(await existing([...deleted, ...kept])).toEqual([...kept].sort());
    await expectExactCounts(threadIds);
    for (const threadId of threadIds) {
      const v = await view(users[0], threadId).catch(() => null);
      if (v) expect(v.messageCount).toBe(2);
    }
  });

  it('purges more than one batch, even with two runs at once', async () => {
    const [ann, bob] = await ctx.users(2);
    const messaging = plugin().service('messaging');
    // 6 threads of 180 deleted messages each (1,080: more than one batch of 1,000), each written
    // by one writer at a time, the threads side by side.
    const threads = await Promise.all(
      Array.from({ length: 6 }, async (_, t) => {
        const { thread, message } = await startThread(ctx.strapi, ann, [bob], { body: `big thread ${t}` });
        const ids: string[] = [];
        for (let i = 0; i < 180; i += 1) ids.push((await messaging.reply({ author: ann.id, threadId: thread.id, body: `n${i}` })).id);
        const last = await messaging.reply({ author: bob.id, threadId: thread.id, body: 'the end' });
        for (const id of ids) await messaging.deleteOwnMessage(ann.id, id);
        return { id: thread.id, first: message.id, last: last.id, ids };
      })
    );
    const cutoff = new Date(Date.now() + 1);
    await clockPast(cutoff.getTime());
    const before = await eligible(cutoff);
    expect(before).toBeGreaterThanOrEqual(1080);

    const results = await Promise.all([purge(runAt(cutoff.getTime())), purge(runAt(cutoff.getTime()))]);
    expect(results[0].purged + results[1].purged).toBe(before);
    expect(await eligible(cutoff)).toBe(0);
    const kept = threads.flatMap((t) => [t.first, t.last]);
    expect(await existing([...kept, ...threads.flatMap((t) => t.ids)])).toEqual(kept.sort());
    await expectExactCounts(threads.map((t) => t.id));
    for (const t of threads) {
      expect(await view(ann, t.id)).toMatchObject({ messageCount: 2, unreadCount: 1, lastMessage: { id: t.last } });
      expect(await view(bob, t.id)).toMatchObject({ messageCount: 2, unreadCount: 0 });
    }
  }, 300_000);

  it('a purge while members keep writing to the thread leaves exact counts', async () => {
    const [ann, bob, cat] = await ctx.users(3);
    const messaging = plugin().service('messaging');
    const { thread } = await startThread(ctx.strapi, ann, [bob, cat], { body: 'busy thread' });
    const doomed: string[] = [];
    for (let i = 0; i < 15; i += 1) doomed.push((await messaging.reply({ author: ann.id, threadId: thread.id, body: `d${i}` })).id);
    let written = 0;
    let purged = 0;
    for (const id of doomed) {
      await messaging.deleteOwnMessage(ann.id, id);
      const soon = new Date(Date.now() + DAYS * DAY + 1000);
      // One writer at a time (each send waits for the previous one), all of them while the purge runs.
      const writes = (async () => {
        for (const [i, author] of [bob, cat, ann, cat, bob].entries()) {
          await messaging.reply({ author: author.id, threadId: thread.id, body: `w${written + i}` });
        }
      })();
      const [run] = await Promise.all([purge(soon), writes]);
      written += 5;
      purged += run.purged;
    }
    expect(purged).toBe(doomed.length);
    await expectExactCounts([thread.id]);
    const total = 1 + written;
    for (const user of [ann, bob, cat]) {
      const v = await view(user, thread.id);
      expect(v.messageCount).toBe(total);
      expect(v.messages).toHaveLength(total);
    }
  }, 120_000);

  it('a purge that meets a send in flight in the same thread counts its message exactly once', async () => {
    const [ann, bob] = await ctx.users(2);
    const { thread, message } = await startThread(ctx.strapi, ann, [bob], { body: 'to purge' });
    await del(ann, message.id);
    const [threadId] = await internalThreadIds([thread.id]);

    // Holding ann's membership row stalls bob's reply in the middle of its transaction: its
    // message is written and its thread row locked, its delivery to ann waits.
    const trx = await knex().transaction();
    let released = false;
    try {
      const lock = trx('pm_memberships').select('id').where({ thread_id: threadId, user_id: ann.id });
      await (isPostgres() || isMysql() ? lock.forUpdate() : lock);
      let replied = false;
      const replying = plugin()
        .service('messaging')
        .reply({ author: bob.id, threadId: thread.id, body: 'in flight' })
        .finally(() => (replied = true));
      // The reply waits behind the held row (or, had it not needed it, has already gone through).
      expect(await waitFor(async () => replied || (await stalledStatements()) >= 1, 30_000, 20)).toBe(true);
      let purged = false;
      const running = purge(new Date(Date.now() + DAYS * DAY + 1000)).finally(() => (purged = true));
      // The purge either waits behind the reply too, or has run past it.
      expect(await waitFor(async () => purged || (await stalledStatements()) >= (replied ? 1 : 2), 30_000, 20)).toBe(true);
      await trx.commit();
      released = true;
      await replying;
      expect((await running).purged).toBeGreaterThanOrEqual(1);
    } finally {
      if (!released) await trx.rollback();
    }

    await expectExactCounts([thread.id]);
    expect(await view(ann, thread.id)).toMatchObject({ messageCount: 1, unreadCount: 1, lastMessage: { excerpt: 'in flight' } });
    expect(await view(bob, thread.id)).toMatchObject({ messageCount: 1, unreadCount: 0 });
  });

  it('a report of a purged message still lists, with message null, and can be resolved', async () => {
    const [ann, bob] = await ctx.users(2);
    const admin: TestAdmin = await createSuperAdmin(ctx.strapi);
    const { thread, message } = await startThread(ctx.strapi, ann, [bob], { subject: 'Reported', body: 'nasty' });
    const after = await reply(ctx.strapi, ann, thread.id, 'still here');
    const reportId = (await as(ctx.strapi, bob).post(`/messages/${message.id}/report`, { reason: 'Nasty' }).expect(201)).body.data.id;
    const neighbourReportId = (await as(ctx.strapi, bob).post(`/messages/${after.id}/report`, { reason: 'Also' }).expect(201)).body.data.id;
    await del(ann, message.id);
    const cutoff = Date.now() + 1;
    await clockPast(cutoff);
    expect((await purge(runAt(cutoff))).purged).toBeGreaterThanOrEqual(1);
    expect(await existing([message.id])).toEqual([]);

    const list = (await asAdmin(ctx.strapi, admin).get('/reports?pageSize=100').expect(200)).body.data;
    const purgedReport = list.find((r: any) => r.id === reportId);
    expect(purgedReport).toMatchObject({
      id: reportId,
      status: 'open',
      reason: 'Nasty',
      reporter: { id: bob.id },
      message: null,
      context: [],
    });
    // The neighbour's context no longer holds the purged message.
    const neighbour = list.find((r: any) => r.id === neighbourReportId);
    expect(neighbour.context.map((x: any) => x.id)).toEqual([after.id]);
    expect(neighbour.context[0].reported).toBe(true);

    const resolved = await asAdmin(ctx.strapi, admin)
      .post(`/reports/${reportId}/resolve`, { action: 'deleteMessage', note: 'already gone' })
      .expect(200);
    expect(resolved.body.data).toMatchObject({ status: 'resolved', resolution: 'deleteMessage', message: null, resolvedBy: { id: admin.id } });
    expect(await view(bob, thread.id)).toMatchObject({ messageCount: 1, messages: [{ id: after.id, deleted: false }] });
    await expectExactCounts([thread.id]);
  });

  it('runs from a cron job registered by the plugin', async () => {
    const spec = (ctx.strapi.cron.jobs as any[]).find((j) => j.name === 'private-messages.purge');
    expect(spec).toBeDefined();
    const job = spec.job;
    const [ann, bob] = await ctx.users(2);
    const { thread, message } = await startThread(ctx.strapi, ann, [bob], { body: 'old news' });
    const recent = await reply(ctx.strapi, ann, thread.id, 'recent news');
    await del(ann, message.id);
    await del(ann, recent.id);
    // As if the first deletion happened DAYS + 1 days ago.
    const longAgo = new Date(Date.now() - (DAYS + 1) * DAY);
    await knex()('pm_messages').where('document_id', message.id).update({ deleted_at: longAgo });

    await job.invoke();
    expect(await existing([message.id, recent.id])).toEqual([recent.id]);
    await expectExactCounts([thread.id]);
    expect(await view(bob, thread.id)).toMatchObject({ messageCount: 1, unreadCount: 1, lastMessage: { id: recent.id } });
  });
});
