import { reply, startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { listen, openStream, type SseClient } from '../helpers/sse';
import { startSecondInstance, type SecondInstance } from '../helpers/second-instance';
import { databaseClient, pgAdmin } from '../helpers/strapi';

/*
 * Two Strapi processes on one database: a client of B hears of a send through A. The bus is the
 * default of the database (PostgreSQL: LISTEN/NOTIFY; MySQL/MariaDB: polling), or Redis when
 * PM_TEST_REDIS_URL is set (and the ioredis package is installed). SQLite is one process: skipped.
 */
const redisUrl = process.env.PM_TEST_REDIS_URL;
const hasIoredis = (() => {
  try {
    require.resolve('ioredis');
    return true;
  } catch {
    return false;
  }
})();
const realtime = redisUrl ? { adapter: 'redis', redis: { url: redisUrl } } : { pollIntervalMs: 200 };
const runs = databaseClient() !== 'sqlite' && (!redisUrl || hasIoredis);
const bus = redisUrl ? 'redis' : databaseClient() === 'postgres' ? 'postgres' : 'poll';

(runs ? describe : describe.skip)(`the stream across two instances (${bus})`, () => {
  const env = { PM_REALTIME: JSON.stringify(realtime) };
  const ctx = useStrapi({ env });
  let other: SecondInstance;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    await listen(ctx.strapi);
    other = await startSecondInstance({ env, listen: true });
  }, 180_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await other?.exit();
  });

  it('delivers a send through A to a stream on B, and nothing to a third user there', async () => {
    expect(ctx.strapi.plugin('private-messages').service('stream').stats().bus).toBe(bus);
    const [alice, bob, carol] = await ctx.users(3);
    const bobOnB = await openStream(other.base, { jwt: bob.jwt });
    const carolOnB = await openStream(other.base, { jwt: carol.jwt });
    clients.push(bobOnB, carolOnB);
    await bobOnB.next((e) => e.event === 'unread-count');
    await carolOnB.next((e) => e.event === 'unread-count');

    const sentAt = Date.now();
    const { thread, message } = await startThread(ctx.strapi, alice, [bob]);
    const created = await bobOnB.next((e) => e.event === 'message.created', 10_000);
    expect(created.data).toEqual({ threadId: thread.id, messageId: message.id });
    expect(Date.now() - sentAt).toBeLessThan(5000);
    expect((await bobOnB.next((e) => e.event === 'unread-count' && e.data.messages === 1)).data).toEqual({ threads: 1, messages: 1, requests: 0 });
    // B handles facts in order, and writes each stream's events in order: carol's first
    // message.created is from a thread she is in, started after bob's.
    const { message: forCarol } = await startThread(ctx.strapi, alice, [carol]);
    expect((await carolOnB.next((e) => e.event === 'message.created', 10_000)).data.messageId).toBe(forCarol.id);

    // Read state changed through A reaches bob's tab on B.
    const readRes = await fetch(`${await listen(ctx.strapi)}/api/private-messages/threads/${thread.id}/read`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob.jwt}` },
    });
    expect(readRes.status).toBe(200);
    expect((await bobOnB.next((e) => e.event === 'thread.updated', 10_000)).data).toEqual({ threadId: thread.id });
  }, 60_000);

  it('resumes a ticket\'s stream on either instance: replay where its ids were numbered, resync on the other, never a wrong replay', async () => {
    const [alice, bob] = await ctx.users(2);
    const baseA = await listen(ctx.strapi);
    const res = await fetch(`${baseA}/api/private-messages/stream/tickets`, { method: 'POST', headers: { authorization: `Bearer ${bob.jwt}` } });
    const { ticket } = (await res.json()).data;
    const onA = await openStream(baseA, { ticket });
    clients.push(onA);
    await onA.next((e) => e.event === 'unread-count');
    const { thread, message } = await startThread(ctx.strapi, alice, [bob]);
    await onA.next((e) => e.event === 'message.created' && e.data.messageId === message.id);
    const lastOnA = onA.events[onA.events.length - 1].id!;
    onA.close();
    await onA.ended;

    // EventSource reconnects to the same URL, here through B: the ticket holds, the ids were A's.
    const onB = await openStream(other.base, { ticket, lastEventId: lastOnA });
    clients.push(onB);
    expect(onB.status).toBe(200);
    expect((await onB.next(() => true)).event).toBe('resync');
    const later = await reply(ctx.strapi, alice, thread.id, 'through A, heard on B');
    await onB.next((e) => e.event === 'message.created' && e.data.messageId === later.id, 10_000);
    const lastOnB = onB.lastEventId()!;
    // B numbers bob's events in its own sequence, under its own epoch.
    expect(lastOnB.split('.')[1]).not.toBe(lastOnA.split('.')[1]);
    onB.close();
    await onB.ended;

    // Back on A with B's id: a resync, not A's events after B's number.
    const backOnA = await openStream(baseA, { ticket, lastEventId: lastOnB });
    clients.push(backOnA);
    expect(backOnA.status).toBe(200);
    expect((await backOnA.next(() => true)).event).toBe('resync');
    backOnA.close();
    // And with A's own id, A replays what it sent bob since.
    const replayOnA = await openStream(baseA, { ticket, lastEventId: lastOnA });
    clients.push(replayOnA);
    expect((await replayOnA.next((e) => e.event === 'message.created')).data.messageId).toBe(later.id);
  }, 60_000);

  (bus === 'postgres' ? it : it.skip)('reconnects a killed LISTEN connection, tells its streams to resync, and delivers again', async () => {
    const [alice, bob] = await ctx.users(2);
    const bobOnB = await openStream(other.base, { jwt: bob.jwt });
    clients.push(bobOnB);
    await bobOnB.next((e) => e.event === 'unread-count');
    const { thread } = await startThread(ctx.strapi, alice, [bob]);
    await bobOnB.next((e) => e.event === 'message.created', 10_000);

    const mark = bobOnB.events.length;
    const admin = pgAdmin();
    try {
      const { rows } = await admin.raw('select pg_terminate_backend(pid) as killed from pg_stat_activity where application_name = ?', [`pm_stream_${other.instance}`]);
      expect(rows).toEqual([{ killed: true }]);
    } finally {
      await admin.destroy();
    }
    const lost = await bobOnB.next((e) => e.event === 'resync', 10_000, mark);
    // Once it listens again (a second resync says so), sends through A reach B again.
    await bobOnB.next((e) => e.event === 'resync', 15_000, bobOnB.events.indexOf(lost) + 1);
    const after = await reply(ctx.strapi, alice, thread.id, 'are you back?');
    expect((await bobOnB.next((e) => e.event === 'message.created' && e.data.messageId === after.id, 10_000)).data.threadId).toBe(thread.id);
  }, 60_000);

  (bus === 'redis' ? it : it.skip)('resyncs and delivers again after Redis drops the subscriber', async () => {
    const [alice, bob] = await ctx.users(2);
    const bobOnB = await openStream(other.base, { jwt: bob.jwt });
    clients.push(bobOnB);
    await bobOnB.next((e) => e.event === 'unread-count');
    const { thread } = await startThread(ctx.strapi, alice, [bob]);
    await bobOnB.next((e) => e.event === 'message.created', 10_000);

    const mark = bobOnB.events.length;
    const Redis = require('ioredis');
    const admin = new Redis(redisUrl);
    try {
      await admin.client('KILL', 'TYPE', 'pubsub');
    } finally {
      admin.disconnect();
    }
    const lost = await bobOnB.next((e) => e.event === 'resync', 10_000, mark);
    await bobOnB.next((e) => e.event === 'resync', 15_000, bobOnB.events.indexOf(lost) + 1);
    const after = await reply(ctx.strapi, alice, thread.id, 'are you back?');
    expect((await bobOnB.next((e) => e.event === 'message.created' && e.data.messageId === after.id, 10_000)).data.threadId).toBe(thread.id);
  }, 60_000);
});
