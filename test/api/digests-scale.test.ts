import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startThread } from '../helpers/api';
import { useStrapi } from '../helpers/setup';
import { useSmtp } from '../helpers/smtp';

/*
 * Digests at scale (a benchmark, run with PRIVATE_MESSAGES_BENCH=1): 10,000 users on a daily digest,
 * each with an unread thread. The run that enqueues them and the outbox that sends them keep the
 * event loop responsive (no delay over 50 ms) and finish in minutes; every user gets exactly one digest.
 */
const USERS = Number(process.env.PRIVATE_MESSAGES_BENCH_USERS ?? 10_000);
const { smtp, env } = useSmtp();
const ctx = useStrapi({ env });
const knex = () => ctx.strapi.db.connection;

/** Copies of `row` for each id of `ids` (ids, document ids and the columns `vary` makes differ). */
const clone = (row: Record<string, unknown>, n: number, vary: (i: number) => Record<string, unknown>) =>
  Array.from({ length: n }, (_, i) => {
    const { id: _id, ...rest } = row;
    return { ...rest, document_id: `bench${String(i).padStart(19, '0')}`, ...vary(i) };
  });
const insert = async (table: string, rows: Record<string, unknown>[]) => {
  for (let i = 0; i < rows.length; i += 200) await knex()(table).insert(rows.slice(i, i + 200));
};

(process.env.PRIVATE_MESSAGES_BENCH ? describe : describe.skip)('digests for 10,000 users', () => {
  it('are enqueued and sent with the event loop free, once each', async () => {
    const [author, first] = await ctx.users(2);
    await startThread(ctx.strapi, author, [first], { subject: 'Bench' });
    // The users, their preference and their membership of one thread with an unread message, as copies of real rows.
    const user = await knex()('up_users').where({ id: first.id }).first();
    const maxId = Number((await knex()('up_users').max({ m: 'id' }).first())!.m);
    await insert('up_users', clone(user, USERS, (i) => ({ id: maxId + 1 + i, username: `bench${i}`, email: `bench${i}@example.test` })));
    const membership = await knex()('pm_memberships').where({ user_id: first.id }).first();
    await insert('pm_memberships', clone(membership, USERS, (i) => ({ user_id: maxId + 1 + i, document_id: `benchm${String(i).padStart(18, '0')}` })));
    await knex()('pm_threads').where({ id: membership.thread_id }).update({ member_count: USERS + 2, listed_member_count: USERS + 2 });
    const prefs = Array.from({ length: USERS }, (_, i) => ({
      document_id: `benchp${String(i).padStart(18, '0')}`,
      created_at: new Date(),
      updated_at: new Date(),
      published_at: new Date(),
      user_id: maxId + 1 + i,
      email_digest: 'daily',
    }));
    await insert('pm_preferences', prefs);
    // A relation link table for users-permissions' role (copied too), so the users are whole.
    const roleLink = await knex()('up_users_role_lnk').where({ user_id: first.id }).first();
    if (roleLink) {
      const { id: _id, ...link } = roleLink;
      await insert('up_users_role_lnk', Array.from({ length: USERS }, (_, i) => ({ ...link, user_id: maxId + 1 + i })));
    }

    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const t0 = Date.now();
    await ctx.strapi.plugin('private-messages').service('digest').run(new Date(Date.now() + 86_400_000));
    const enqueued = Date.now() - t0;
    const outbox = ctx.strapi.plugin('private-messages').service('outbox');
    for (;;) {
      const pending = await knex()('pm_outbox').where({ event: 'digest' }).whereIn('status', ['pending', 'sending']).count({ n: '*' }).first();
      if (Number(pending!.n) === 0) break;
      await outbox.drain();
    }
    const sent = Date.now() - t0;
    h.disable();
    const maxLagMs = h.max / 1e6;
    const p99LagMs = h.percentile(99) / 1e6;
    // eslint-disable-next-line no-console
    console.log(`digests: ${USERS} users, enqueued in ${enqueued} ms, all sent in ${sent} ms; event loop delay max ${maxLagMs.toFixed(1)} ms, p99 ${p99LagMs.toFixed(1)} ms`);
    const benchMails = smtp.mails.filter((m) => m.to.some((a) => a.startsWith('bench')));
    expect(benchMails).toHaveLength(USERS);
    expect(new Set(benchMails.map((m) => m.to[0])).size).toBe(USERS);
    expect(maxLagMs).toBeLessThan(50);
  }, 1_800_000);
});
