import { randomBytes } from 'node:crypto';
import { TABLES, insertInChunks, toInt, yieldToEventLoop, type Db } from './db';
import { blockedNow, memberOf, narrowToAudience, seenBy } from './visibility';

/*
 * The email outbox. A send writes one `job` row in its own transaction (O(1) whatever the number
 * of members); the worker later expands a job into one `email` row per recipient, then delivers
 * them. Claiming rows, and every change of a claimed row's state, is in outbox-claims.ts.
 */

export type OutboxEvent = 'new_thread' | 'reply' | 'report' | 'digest';

export type OutboxRow = {
  id: number;
  kind: 'job' | 'email' | 'push';
  event: OutboxEvent;
  messageId: number | null;
  threadId: number | null;
  reportId: number | null;
  userId: number | null;
  email: string | null;
  attempts: number;
  /** Random, stored with the row: with its id, the email's stable Message-ID (null on rows older than it). */
  messageKey: string | null;
  /** A digest's period (services/digest.ts), null on other rows. */
  digestPeriod: string | null;
  /** A push row's subscription (repositories/push.ts), null on other rows. */
  subscriptionId: number | null;
};

export const mapRow = (r: Record<string, unknown>): OutboxRow => ({
  id: toInt(r.id),
  kind: r.kind as OutboxRow['kind'],
  event: r.event as OutboxEvent,
  messageId: r.message_id == null ? null : toInt(r.message_id),
  threadId: r.thread_id == null ? null : toInt(r.thread_id),
  reportId: r.report_id == null ? null : toInt(r.report_id),
  userId: r.user_id == null ? null : toInt(r.user_id),
  email: (r.email as string) ?? null,
  attempts: toInt(r.attempts),
  messageKey: (r.message_key as string) ?? null,
  digestPeriod: (r.digest_period as string) ?? null,
  subscriptionId: r.subscription_id == null ? null : toInt(r.subscription_id),
});

/** The random part of an email's Message-ID: 64 bits, so ids reused by another database never collide. */
export const newMessageKey = () => randomBytes(8).toString('hex');

const base = (now: Date) => ({ created_at: now, updated_at: now, published_at: now, status: 'pending', attempts: 0, next_attempt_at: now });

export const enqueueJob = (db: Db, job: { event: OutboxEvent; messageId?: number; threadId?: number; reportId?: number; now: Date }) =>
  db(TABLES.outbox).insert({
    ...base(job.now),
    kind: 'job',
    event: job.event,
    message_id: job.messageId ?? null,
    thread_id: job.threadId ?? null,
    report_id: job.reportId ?? null,
  });

/**
 * Who is told about message `messageId` by email: the notification rules in one statement.
 * A current member other than the author, who sees the message (visibility.seenBy: a
 * broadcast recipient's reply is for the starter alone), has not blocked the author now, receives
 * messages, and whose level (their own, else the site default) asks for it:
 *   every: each message; newThreads: the first message of a thread;
 *   firstUnread: only while the thread had no earlier unread message for them.
 */
export const expandMessageJob = async (
  db: Db,
  job: OutboxRow,
  input: {
    authorId: number;
    isNewThread: boolean;
    messagingEnabledByDefault: boolean;
    defaultLevel: string;
    now: Date;
    dueAt?: Date;
    /** audienceMembershipIds, when the caller has them already. */
    membershipIds?: number[];
  }
) => {
  const X = job.messageId!;
  const LEVEL_IS = 'coalesce(p.email_notifications, ?) = ?';
  const recipients = (membershipIds: number[]) => db(`${TABLES.memberships} as ms`)
    .whereIn('ms.id', membershipIds)
    .leftJoin(`${TABLES.preferences} as p`, 'p.user_id', 'ms.user_id')
    .select('ms.user_id')
    .where('ms.thread_id', job.threadId)
    .whereRaw(`exists (select 1 from ${TABLES.messages} mx where mx.id = ? and ${seenBy('mx', memberOf('ms'))})`, [X])
    .whereNot('ms.user_id', input.authorId)
    .whereNull('ms.left_at')
    // Message requests (pending or declined) are never emailed (repositories/message-requests).
    .where((w) => w.whereNull('ms.request_state').orWhere('ms.request_state', 'accepted'))
    .whereRaw(`not ${blockedNow('ms.user_id', '?')}`, [input.authorId])
    // A user on a digest (daily, weekly) gets that summary and no other notification email.
    .whereRaw(`coalesce(p.email_digest, 'off') = 'off'`)
    .andWhere((w) => w.where('p.messaging_enabled', true).orWhere((w2) => w2.whereNull('p.messaging_enabled').andWhereRaw('?', [input.messagingEnabledByDefault])))
    .andWhere((w) =>
      w
        .whereRaw(LEVEL_IS, [input.defaultLevel, 'every'])
        .orWhere((w2) => w2.whereRaw(LEVEL_IS, [input.defaultLevel, 'newThreads']).andWhereRaw('?', [input.isNewThread]))
        .orWhere((w2) =>
          w2
            .whereRaw(LEVEL_IS, [input.defaultLevel, 'firstUnread'])
            .andWhere('ms.last_read_message_id', '<', X)
            .whereNotExists(
              db(`${TABLES.messages} as m`)
                .select(db.raw('1'))
                .whereRaw('m.thread_id = ms.thread_id')
                .whereRaw('m.id > ms.last_read_message_id')
                .andWhere('m.id', '<', X)
                .andWhere((w3) => w3.whereNull('m.author_id').orWhereRaw('m.author_id <> ms.user_id'))
                .whereRaw(seenBy('m', memberOf('ms')))
            )
        )
    );
  const membershipIds = input.membershipIds ?? (await audienceMembershipIds(db, job, input.authorId));
  const userIds: number[] = [];
  for (let i = 0; i < membershipIds.length; i += EXPANSION_SLICE) {
    if (i > 0) await yieldToEventLoop();
    for (const r of await recipients(membershipIds.slice(i, i + EXPANSION_SLICE))) userIds.push(toInt(r.user_id));
  }
  await insertEmails(db, job, userIds.map((userId) => ({ userId })), input.now, input.dueAt);
  return userIds.length;
};

/**
 * The memberships message `job.messageId` can reach (visibility.narrowToAudience: a broadcast
 * recipient's reply, the starter's row, not 10,000), by id. Big threads are then evaluated a slice
 * of them at a time (EXPANSION_SLICE), the event loop free in between (SQLite's driver is
 * synchronous): a message to a 10,000-user role must not stall the server.
 */
export const audienceMembershipIds = async (db: Db, job: OutboxRow, authorId: number): Promise<number[]> => {
  const message = await db(TABLES.messages).select('audience', 'audience_user_id').where('id', job.messageId).first();
  return (
    await narrowToAudience(db(TABLES.memberships).select('id').where('thread_id', job.threadId), (c) => c, {
      authorId,
      audience: message?.audience ?? null,
      audienceUserId: message?.audience_user_id == null ? null : toInt(message.audience_user_id),
    }).orderBy('id')
  ).map((r: Record<string, unknown>) => toInt(r.id));
};

/* Like DELIVERY_CHUNK: small enough that a slice whose pages must come from disk stays short. */
export const EXPANSION_SLICE = 200;

/**
 * Outbox rows (emails, pushes: one per recipient) per INSERT. Building a statement is synchronous
 * and costs in its rows: knex compiled 400 such rows in ~180 ms on the loaded 2-core machine (100
 * rows: ~32 ms), which held the event loop while a big thread's reply was expanded.
 */
export const OUTBOX_ROWS_PER_INSERT = 100;

/** One email row per recipient, due at `dueAt` (now by default). */
export const insertEmails = async (db: Db, job: OutboxRow, recipients: { userId?: number; email?: string }[], now: Date, dueAt = now) => {
  await insertInChunks(db, TABLES.outbox, recipients, {
    size: OUTBOX_ROWS_PER_INSERT,
    yieldBetween: true,
    toRows: (chunk) =>
      chunk.map((r) => ({
        ...base(now),
        next_attempt_at: dueAt,
        kind: 'email',
        event: job.event,
        message_id: job.messageId,
        thread_id: job.threadId,
        report_id: job.reportId,
        user_id: r.userId ?? null,
        email: r.email ?? null,
        message_key: newMessageKey(),
      })),
  });
};

export const countByStatus = async (db: Db) => {
  const rows = await db(TABLES.outbox).select('kind', 'status').count({ n: '*' }).groupBy('kind', 'status');
  return rows.map((r: Record<string, unknown>) => ({ kind: r.kind, status: r.status, n: toInt(r.n) }));
};

