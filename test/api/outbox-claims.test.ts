import { claimDue, markDroppedMany, markFailed, markSending, markSendingMany, markSent, markSentMany, renewClaims } from '../../server/src/repositories/outbox-claims';
import { databaseClient } from '../helpers/databases';
import { useStrapi } from '../helpers/setup';
import { statementsDuring } from '../helpers/statements';

const ctx = useStrapi();
const outboxRows = () => ctx.strapi.db.connection('pm_outbox');

const emailRow = (email: string, nextAttemptAt: Date) => ({
  created_at: new Date(),
  updated_at: new Date(),
  published_at: new Date(),
  status: 'pending',
  attempts: 0,
  next_attempt_at: nextAttemptAt,
  kind: 'email',
  event: 'report',
  email,
});

// The rows below are claimed by hand: the app's own outbox (its cron, a kick) must not take them first.
beforeAll(async () => {
  await ctx.strapi.plugin('private-messages').service('outbox').stop();
});

afterEach(async () => {
  await outboxRows().where({ kind: 'email', event: 'report' }).delete();
});

describe('claiming due emails', () => {
  it('takes the longest-waiting due rows first, whatever their ids, and leaves rows not yet due', async () => {
    const now = new Date();
    const ago = (s: number) => new Date(now.getTime() - s * 1000);
    // Inserted newest-due first, so id order and due order disagree.
    for (const [email, due] of [
      ['retry-later@example.test', new Date(now.getTime() + 60_000)],
      ['due-1s@example.test', ago(1)],
      ['due-30s@example.test', ago(30)],
      ['due-60s@example.test', ago(60)],
    ] as const) {
      await outboxRows().insert(emailRow(email, due));
    }
    const claim = (token: string) => claimDue(ctx.strapi.db.connection, 'email', { dueAt: now, now, leaseMs: 60_000, limit: 2, token, maxAttempts: 20 });
    const first = await claim('first');
    expect(first.map((r) => r.email).sort()).toEqual(['due-30s@example.test', 'due-60s@example.test']);
    const second = await claim('second');
    expect(second.map((r) => r.email)).toEqual(['due-1s@example.test']);
  });
});

describe('a claim taken over', () => {
  it('fences the worker that lost it: its lease renewal, sending, sent and failed marks change nothing', async () => {
    const db = ctx.strapi.db.connection;
    const [id] = (await outboxRows().insert(emailRow('fenced@example.test', new Date(Date.now() - 60_000)), ['id'])).map((r: any) => Number(r.id ?? r));
    const t0 = new Date(Date.now() - 10_000);
    // The first worker claimed it 10 s ago with a 1 s lease and was not heard of since: the second takes it over.
    const [mine] = await claimDue(db, 'email', { dueAt: t0, now: t0, leaseMs: 1000, limit: 1, token: 'stale', maxAttempts: 20 });
    expect(mine.id).toBe(id);
    const now = new Date();
    const [theirs] = await claimDue(db, 'email', { dueAt: now, now, leaseMs: 60_000, limit: 1, token: 'live', maxAttempts: 20 });
    expect(theirs.id).toBe(id);
    const before = await outboxRows().where({ id }).first();

    expect(await renewClaims(db, [id], 'stale', now, 60_000)).toBe(0);
    expect(await markSending(db, id, 'stale', 'k', now, 60_000)).toBe(false);
    expect(await markSent(db, id, 'stale', now)).toBe(false);
    expect(await markFailed(db, mine, 'stale', 'boom', now, 20, now)).toBe(false);
    expect(await outboxRows().where({ id }).first()).toEqual(before);

    // The holder's marks go through.
    expect(await markSending(db, id, 'live', 'k', now, 60_000)).toBe(true);
    expect(await markSent(db, id, 'live', now)).toBe(true);
    expect((await outboxRows().where({ id }).first()).status).toBe('sent');
  });
});

describe('statements naming their rows by id', () => {
  // SQLite has no statistics: beside `status = 'pending'` it walked pm_outbox_due_idx over every
  // pending email (thousands after a message to a role) instead of looking the batch's ids up.
  (databaseClient() === 'sqlite' ? it : it.skip)('look the rows up by primary key on SQLite, never through the due index', async () => {
    const db = ctx.strapi.db.connection;
    const past = new Date(Date.now() - 60_000);
    for (let i = 0; i < 30; i += 1) await outboxRows().insert(emailRow(`waiting-${i}@example.test`, past));
    const statements = await statementsDuring(db, async () => {
      const now = new Date();
      const claimed = await claimDue(db, 'email', { dueAt: now, now, leaseMs: 60_000, limit: 5, token: 'batch', maxAttempts: 20 });
      const ids = claimed.map((r) => r.id);
      expect(ids).toHaveLength(5);
      await renewClaims(db, ids, 'batch', now, 60_000);
      await markSendingMany(db, ids.slice(0, 3).map((id) => ({ id, messageKey: `k${id}`, unlessSeen: true })), 'batch', now, 60_000);
      await markDroppedMany(db, ids.slice(3), 'batch', now);
      expect(await markSentMany(db, ids.slice(0, 3), 'batch', now)).toBe(3);
    });
    const byIds = statements.filter((q) => /`id` in \(/.test(q.sql));
    expect(byIds.length).toBeGreaterThanOrEqual(7);
    for (const q of byIds) {
      const plan = (await db.raw(`explain query plan ${q.sql}`, q.bindings)) as { detail: string }[];
      const outbox = plan.map((p) => p.detail).filter((d) => /\bpm_outbox\b/.test(d));
      expect({ sql: q.sql, plan: outbox }).toEqual({ sql: q.sql, plan: [expect.stringContaining('USING INTEGER PRIMARY KEY')] });
    }
  });
});
