import { as } from '../helpers/api';
import { driftedCounters, recountedUnread } from '../helpers/counters';
import { useStrapi } from '../helpers/setup';
import { listen } from '../helpers/sse';
import { startSecondInstance, type SecondInstance } from '../helpers/second-instance';
import { databaseClient } from '../helpers/strapi';
import type { TestUser } from '../helpers/users';

/*
 * Counters under any interleaving: random sequences of block, unblock, send, reply, read, unread,
 * remove, leave and bulk actions among a few users, sent a round at a time as concurrent requests
 * (on PostgreSQL and MySQL/MariaDB spread over two Strapi processes on one database; SQLite is one
 * process). Afterwards every member's stored unread_count and message_count equals the recount by
 * the plugin's visibility rule, GET /unread-count equals its recount, and each thread as a member
 * reads it agrees with its own counts. A request the database aborted (a deadlock) changed nothing
 * and is not this test's subject: the counters must hold whatever was aborted.
 *
 * PM_TEST_SEED replays a sequence (the interleaving itself is the databases').
 */

const USERS = 4;
const ROUNDS = 30;
const CONCURRENT = 6;
const seed = Number(process.env.PM_TEST_SEED ?? Date.now() % 1_000_000);

/** mulberry32: a small seeded generator. */
const random = (() => {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
})();
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
const some = <T>(items: T[], n: number): T[] => [...items].sort(() => random() - 0.5).slice(0, n);

const twoInstances = databaseClient() !== 'sqlite';

describe(`counters under interleaved blocks, sends and read-state changes (${twoInstances ? 'two instances' : 'one instance'}, seed ${seed})`, () => {
  const ctx = useStrapi();
  let other: SecondInstance | undefined;
  let bases: string[] = [];

  beforeAll(async () => {
    // Sends are many here: the rate limit stays on (its lock is part of the interleaving), out of reach.
    await ctx.strapi.plugin('private-messages').service('settings').update({ rateLimit: { max: 100_000, windowSeconds: 60 } });
    bases = [await listen(ctx.strapi)];
    if (twoInstances) {
      other = await startSecondInstance({ listen: true });
      bases.push(other.base);
    }
  }, 180_000);
  afterAll(async () => {
    await other?.exit();
  });

  const statuses = new Map<string, number>();
  /** A request as `user` through one of the instances, at random; any answer below 500 is a rule's answer. */
  const call = async (user: TestUser, method: string, path: string, body?: object) => {
    const res = await fetch(`${pick(bases)}/api/private-messages${path}`, {
      method,
      headers: { authorization: `Bearer ${user.jwt}`, 'content-type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (res.status >= 500) return { status: res.status, body: null };
    const key = `${method} ${path.replace(/\/[a-z0-9]{20,}/g, '/:id').replace(/\/\d+$/, '/:n')} ${res.status}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };

  it('keeps every counter equal to its recount', async () => {
    const users = await ctx.users(USERS);
    const threads: string[] = [];
    const start = async (author: TestUser, recipients: TestUser[]) => {
      const res = await call(author, 'POST', '/threads', { recipients: recipients.map((r) => ({ type: 'user', id: r.id })), body: 'start' });
      if (res.status === 201) threads.push(res.body.data.thread.id);
    };
    for (let i = 0; i < 3; i += 1) await start(users[i], users.filter((u) => u !== users[i]));
    await start(users[0], [users[1]]);
    await start(users[2], [users[3]]);

    const operations: [number, (u: TestUser) => Promise<unknown>][] = [
      [5, (u) => call(u, 'POST', '/blocks', { userId: pick(users.filter((x) => x !== u)).id })],
      [5, (u) => call(u, 'DELETE', `/blocks/${pick(users.filter((x) => x !== u)).id}`)],
      [24, (u) => call(u, 'POST', `/threads/${pick(threads)}/messages`, { body: `from ${u.username}` })],
      [10, (u) => call(u, 'POST', `/threads/${pick(threads)}/read`)],
      [10, (u) => call(u, 'POST', `/threads/${pick(threads)}/unread`)],
      [5, (u) => call(u, 'DELETE', `/threads/${pick(threads)}`)],
      [1, (u) => call(u, 'POST', `/threads/${pick(threads)}/leave`)],
      [6, (u) => call(u, 'POST', '/threads/actions', { action: pick(['markRead', 'markUnread', 'delete']), threadIds: some(threads, 3) })],
      [3, (u) => start(u, some(users.filter((x) => x !== u), 1 + Math.floor(random() * 3)))],
    ];
    const total = operations.reduce((n, [w]) => n + w, 0);
    const operation = () => {
      let r = random() * total;
      for (const [weight, run] of operations) {
        r -= weight;
        if (r < 0) return run;
      }
      return operations[0][1];
    };

    for (let round = 0; round < ROUNDS; round += 1) {
      await Promise.all(Array.from({ length: CONCURRENT }, () => operation()(pick(users))));
    }

    // The sequence did what it was meant to: blocks held back replies, and most writes went through.
    const count = (prefix: string, status: number) =>
      [...statuses].filter(([k]) => k.startsWith(prefix) && k.endsWith(` ${status}`)).reduce((n, [, v]) => n + v, 0);
    expect(count('POST /blocks', 201)).toBeGreaterThan(0);
    expect(count('POST /threads/:id/messages', 201)).toBeGreaterThan(ROUNDS);

    expect(await driftedCounters(ctx.strapi)).toEqual([]);
    for (const u of users) {
      const { threads: unreadThreads, messages: unreadMessages } = (await call(u, 'GET', '/unread-count')).body.data;
      const unread = { threads: unreadThreads, messages: unreadMessages };
      expect({ user: u.username, unread }).toEqual({ user: u.username, unread: await recountedUnread(ctx.strapi, u.id) });
      // Each thread as the member reads it agrees with its own counts.
      let unreadListed = 0;
      for (const id of threads) {
        const res = await call(u, 'GET', `/threads/${id}?limit=100`);
        if (res.status === 404) continue;
        const t = res.body.data;
        expect({ thread: id, user: u.username, unread: t.unreadCount, messages: t.messageCount }).toEqual({
          thread: id,
          user: u.username,
          unread: t.messages.filter((m: { isNew: boolean }) => m.isNew).length,
          messages: t.messages.length,
        });
      }
      // The unread count is the inbox's: every unread thread is listed there.
      const inbox = (await call(u, 'GET', '/threads?limit=100')).body.data as { unreadCount: number }[];
      unreadListed = inbox.reduce((n, t) => n + t.unreadCount, 0);
      expect({ user: u.username, unreadListed }).toEqual({ user: u.username, unreadListed: unread.messages });
    }
  });
});
