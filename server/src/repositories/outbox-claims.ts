import type { Knex } from 'knex';
import { TABLES, toInt, type Db } from './db';
import { byPrimaryKey, canSkipLocked, forUpdateSkipLocked } from './dialect';
import { mapRow, type OutboxRow } from './outbox';
import { blockedNow } from './visibility';

/*
 * Claims on outbox rows. A worker claims due rows under a token of its own (claim_token) and a
 * lease (locked_until), renews the lease while it works on them, and every later change of a
 * claimed row is fenced on that token: an UPDATE whose WHERE names the token, so a worker whose
 * lease ran out and whose rows another worker claimed since changes nothing (0 rows) and learns it.
 *
 * Leases are on the real clock (`now`), never on the time a drain was asked to deliver for
 * (`dueAt`, later in tests to skip backoff): a lease measured from an old or made-up time runs out
 * while its holder still works.
 *
 * Portable: no UPDATE ... RETURNING (MySQL lacks it). Claiming selects candidates (FOR UPDATE SKIP
 * LOCKED where it exists, so competing workers pass over each other's rows), updates those still
 * claimable, and reads back what carries its token.
 */

/**
 * Where SKIP LOCKED exists, the claim's statements share a transaction, which holds the selected
 * rows locked until the update. Elsewhere (SQLite) each runs on its own: a transaction that reads,
 * then writes, fails at once with "database is locked" when another process wrote in between (the
 * busy timeout does not apply to a stale snapshot), and the guarded update is enough on its own.
 */
const claimTransaction = <T>(db: Db, work: (db: Db) => Promise<T>) => (canSkipLocked(db) ? db.transaction(work) : work(db));

/** Kept by an email row whose sender stopped (crashed) after handing it to the mail server, before marking it sent. */
export const INTERRUPTED_ERROR = 'interrupted while sending (the worker stopped before marking it sent); sent again with the same Message-ID';

const HELD = ['pending', 'sending'];

export type ClaimOptions = { dueAt: Date; now: Date; leaseMs: number; limit: number; token: string; maxAttempts: number };

const idsOf = (rows: Record<string, unknown>[]) => rows.map((r) => toInt(r.id));

/** Outbox rows named by id (`whereIn('id', …)`), found by primary key, never by the due index (dialect/keys.ts). */
const byId = (db: Db, ids: number[]) => byPrimaryKey(db, TABLES.outbox).whereIn('id', ids);

/**
 * Claims up to `limit` rows of `kind` for `leaseMs` under `token`: first emails left in `sending`
 * by a worker whose lease ran out (the attempt counts: a mail that brings its sender down each
 * time ends as failed), then due pending rows, the longest-waiting first.
 */
export const claimDue = (db: Db, kind: 'job' | 'email' | 'push', o: ClaimOptions): Promise<OutboxRow[]> =>
  claimTransaction(db, async (trx) => {
    const lockedUntil = new Date(o.now.getTime() + o.leaseMs);
    const select = (q: Knex.QueryBuilder) => forUpdateSkipLocked(trx, q);

    // Few rows: at most the emails in flight when instances stopped.
    const interrupted = idsOf(
      await select(
        trx(TABLES.outbox)
          .select('id')
          .where({ status: 'sending', kind })
          .andWhere('locked_until', '<', o.now)
          .orderBy([{ column: 'next_attempt_at' }, { column: 'id' }])
          .limit(o.limit)
      )
    );
    if (interrupted.length > 0) {
      await byId(trx, interrupted)
        .where({ status: 'sending' })
        .andWhere('locked_until', '<', o.now)
        .update({
          status: trx.raw(`case when attempts + 1 >= ? then 'failed' else 'pending' end`, [o.maxAttempts]),
          attempts: trx.raw('attempts + 1'),
          last_error: INTERRUPTED_ERROR,
          claim_token: o.token,
          locked_until: lockedUntil,
          updated_at: o.now,
        });
    }

    const left = o.limit - interrupted.length;
    const claimable = (w: Knex.QueryBuilder) =>
      w
        .where({ status: 'pending', kind })
        .andWhere('next_attempt_at', '<=', o.dueAt)
        .andWhere((w2) => w2.whereNull('locked_until').orWhere('locked_until', '<', o.now));
    let due: number[] = [];
    if (left > 0) {
      due = idsOf(
        await select(
          // The order of pm_outbox_due_idx (status, kind, next_attempt_at, id): the scan stops after
          // `limit` rows. Ordering by id alone sorted every due row, 10,000 after a message to a role.
          claimable(trx(TABLES.outbox).select('id'))
            .orderBy([{ column: 'next_attempt_at' }, { column: 'id' }])
            .limit(left)
        )
      );
      // Still claimable: with SKIP LOCKED the lock held them, and the update goes by primary key
      // only (with the conditions too, InnoDB may walk the due index and lock rows another worker
      // is marking failed: a deadlock seen on MariaDB). Without (SQLite), another process may
      // have claimed some since the select, and the condition leaves those out.
      const dueById = byId(trx, due);
      if (due.length > 0) await (canSkipLocked(trx) ? dueById : claimable(dueById)).update({ claim_token: o.token, locked_until: lockedUntil, updated_at: o.now });
    }

    // By primary key: claim_token has no index, and the outbox keeps sent rows until purge.
    const candidates = [...interrupted, ...due];
    if (candidates.length === 0) return [];
    const rows = await byId(trx, candidates).select('*').where({ claim_token: o.token, status: 'pending' });
    return rows.map(mapRow).sort((a: OutboxRow, b: OutboxRow) => a.id - b.id);
  });

/**
 * Extends the lease of the claimed rows (`ids`) that `token` still holds; the number renewed. By
 * primary key: claim_token has no index, and a scan would lock every row it passes on InnoDB.
 */
export const renewClaims = async (db: Db, ids: number[], token: string, now: Date, leaseMs: number) =>
  toInt(
    await byId(db, ids)
      .where({ claim_token: token })
      .whereIn('status', HELD)
      .update({ locked_until: new Date(now.getTime() + leaseMs), updated_at: now })
  );

const held = (db: Db, id: number, token: string) => db(TABLES.outbox).where({ id, claim_token: token }).whereIn('status', HELD);

/**
 * Fenced: the email is about to be handed to the mail server. From here until markSent, a crash
 * leaves it in `sending`, and whoever finds it there after the lease resends it with the same
 * `messageKey` (so the same Message-ID). False: the claim is lost, do not send.
 */
export const markSending = async (db: Db, id: number, token: string, messageKey: string, now: Date, leaseMs: number, opts: { unlessSeen?: boolean } = {}) => {
  const q = db(TABLES.outbox).where({ id, claim_token: token, status: 'pending' });
  if (opts.unlessSeen) q.whereRaw(`not ${seenAlready(TABLES.outbox)}`);
  return toInt(await q.update({ status: 'sending', message_key: messageKey, locked_until: new Date(now.getTime() + leaseMs), updated_at: now })) > 0;
};

/**
 * SQL condition on the outbox row `o` (a message's email to `o.user_id`): the email has nothing
 * left to say, as of this statement: the recipient read the thread up to the message or past it
 * (on the site, in another tab, through the stream's client: one column, whatever the instance),
 * left it, blocks its author now (visibility.blockedNow), or, for an email, switched to a digest
 * (which then tells them instead; a digest is email only, a push still leaves). Checked in the very
 * UPDATE that hands the email or push over (markSending), so a read committed before it always wins.
 */
const seenAlready = (o: string) => `(
  exists (select 1 from ${TABLES.memberships} sms
          where sms.thread_id = ${o}.thread_id and sms.user_id = ${o}.user_id
            and (sms.last_read_message_id >= ${o}.message_id or sms.left_at is not null))
  or ${blockedNow(`${o}.user_id`, `(select sm.author_id from ${TABLES.messages} sm where sm.id = ${o}.message_id)`)}
  or (${o}.kind = 'email' and exists (select 1 from ${TABLES.preferences} sp
             where sp.user_id = ${o}.user_id and coalesce(sp.email_digest, 'off') <> 'off')))`;

/** Fenced; false when another worker holds the row now (it is left alone). */
export const markSent = async (db: Db, id: number, token: string, now: Date) =>
  toInt(
    await held(db, id, token).update({ status: 'sent', sent_at: now, locked_until: null, claim_token: null, last_error: null, updated_at: now })
  ) > 0;

/** Fenced. A failed attempt: kept with its error, retried after `retryAt`; after `maxAttempts`, kept as failed. */
export const markFailed = async (db: Db, row: OutboxRow, token: string, error: string, retryAt: Date, maxAttempts: number, now: Date) =>
  toInt(
    await held(db, row.id, token).update({
      attempts: row.attempts + 1,
      status: row.attempts + 1 >= maxAttempts ? 'failed' : 'pending',
      next_attempt_at: retryAt,
      last_error: error.slice(0, 2000),
      locked_until: null,
      claim_token: null,
      updated_at: now,
    })
  ) > 0;

/** Fenced: marks a claimed job done; false when another worker holds or did it (then the caller rolls back). */
export const completeJob = async (db: Db, id: number, token: string, now: Date) =>
  toInt(
    await db(TABLES.outbox).where({ id, status: 'pending', claim_token: token }).update({ status: 'done', locked_until: null, claim_token: null, updated_at: now })
  ) > 0;

/**
 * markSending for a batch, in one statement: each row gets its own `messageKey` (a row sent before
 * keeps the key it was given). Answers the ids this worker holds in `sending` afterwards (the
 * others' claims were lost: do not send them). Run it in a transaction (the update, then the read).
 */
export const markSendingMany = async (
  db: Db,
  rows: Array<{ id: number; messageKey: string; unlessSeen?: boolean }>,
  token: string,
  now: Date,
  leaseMs: number
) => {
  if (rows.length === 0) return new Set<number>();
  const ids = rows.map((r) => r.id);
  const keys = db.raw(`case id ${rows.map(() => 'when ? then ?').join(' ')} else message_key end`, rows.flatMap((r) => [r.id, r.messageKey]));
  const changes = { status: 'sending', message_key: keys, locked_until: new Date(now.getTime() + leaseMs), updated_at: now };
  // A message's email only while its recipient has not seen it (seenAlready), in the same UPDATE.
  const plain = rows.filter((r) => !r.unlessSeen).map((r) => r.id);
  const guarded = rows.filter((r) => r.unlessSeen).map((r) => r.id);
  if (plain.length > 0) await byId(db, plain).where({ claim_token: token, status: 'pending' }).update(changes);
  if (guarded.length > 0) {
    await byId(db, guarded)
      .where({ claim_token: token, status: 'pending' })
      .whereRaw(`not ${seenAlready(TABLES.outbox)}`)
      .update(changes);
  }
  const held = await byId(db, ids).select('id').where({ claim_token: token, status: 'sending' });
  return new Set(held.map((r: { id: number | string }) => Number(r.id)));
};

/**
 * Fenced: claimed rows markSendingMany refused because their recipient had already seen the message
 * (seenAlready), or with nothing left to send; kept as `dropped`, never sent. Answers the ids now `dropped`.
 */
export const markDroppedMany = async (db: Db, ids: number[], token: string, now: Date) => {
  if (ids.length === 0) return new Set<number>();
  await byId(db, ids)
    .where({ claim_token: token, status: 'pending' })
    .update({ status: 'dropped', locked_until: null, claim_token: null, updated_at: now });
  const rows = await byId(db, ids).select('id').where({ status: 'dropped' });
  return new Set(rows.map((r: { id: number | string }) => Number(r.id)));
};

/** markSent for a batch, in one statement; answers how many this worker still held. */
export const markSentMany = async (db: Db, ids: number[], token: string, now: Date) =>
  ids.length === 0
    ? 0
    : toInt(
        await byId(db, ids)
          .where({ claim_token: token })
          .whereIn('status', HELD)
          .update({ status: 'sent', sent_at: now, locked_until: null, claim_token: null, last_error: null, updated_at: now })
      );
