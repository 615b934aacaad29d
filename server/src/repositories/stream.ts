import { TABLES, toInt, type Db } from './db';
import { insertReturning } from './dialect';
import { memberOf, seenBy } from './visibility';

/*
 * The real-time stream's SQL: who of the users with a stream on this instance may be told about a
 * message (visibility.seenBy, as every REST answer uses it), which of them are unconfirmed, its
 * tickets, and the event table the `poll` bus reads.
 */

/** At most this many user ids in one statement's list (SQLite's and MySQL's bind-parameter limits). */
const IDS_PER_STATEMENT = 5000;

/**
 * Which moment of a message the recipients are asked for:
 * - `created`: right after its transaction commits. Members it was delivered to then (every member
 *   of a new thread or of a thread up to DEFERRED_DELIVERY_ABOVE members), and its author;
 * - `delivered`: a big thread's members, once the outbox worker delivered it (so the unread count
 *   they then read counts it); the author was told at `created`;
 * - `deleted`: every current member who may see it.
 */
export type MessageMoment = 'created' | 'delivered' | 'deleted';

/** `request`: the member has the thread as a pending message request (told only its unread count). */
export type MessageRecipient = { userId: number; threadId: string; messageId: string; request: boolean };

/**
 * Of `userIds`, the current members of the message's thread who see it (visibility.seenBy: after
 * their removal watermark, in its audience, not written while they had blocked its author). One
 * statement per 5,000 users, each
 * a lookup of the unique (thread_id, user_id) index per user; never one per member.
 */
export const messageRecipients = async (
  db: Db,
  messageDocumentId: string,
  userIds: number[],
  moment: MessageMoment
): Promise<MessageRecipient[]> => {
  const out: MessageRecipient[] = [];
  for (let i = 0; i < userIds.length; i += IDS_PER_STATEMENT) {
    const q = db(`${TABLES.messages} as m`)
      .join(`${TABLES.memberships} as ms`, 'ms.thread_id', 'm.thread_id')
      .join(`${TABLES.threads} as t`, 't.id', 'm.thread_id')
      .select('ms.user_id', 'ms.request_state', 't.document_id as thread_document_id', 'm.document_id as message_document_id')
      .where('m.document_id', messageDocumentId)
      .whereIn('ms.user_id', userIds.slice(i, i + IDS_PER_STATEMENT))
      .whereNull('ms.left_at')
      .andWhere((w) => w.whereNull('ms.request_state').orWhereNot('ms.request_state', 'declined'))
      .andWhereRaw(seenBy('m', memberOf('ms')));
    if (moment === 'created') q.andWhereRaw('(ms.user_id = m.author_id or ms.delivered_message_id >= m.id)');
    if (moment === 'delivered') q.andWhereRaw('(m.author_id is null or ms.user_id <> m.author_id) and ms.delivered_message_id >= m.id');
    for (const row of (await q) as Record<string, unknown>[]) {
      out.push({
        userId: toInt(row.user_id),
        threadId: String(row.thread_document_id),
        messageId: String(row.message_document_id),
        request: row.request_state === 'pending',
      });
    }
  }
  return out;
};

/** A message's documentId and its thread's, by internal ids (the outbox worker knows those). */
export const messageDocumentIds = async (db: Db, messageId: number) => {
  const row = await db(`${TABLES.messages} as m`)
    .join(`${TABLES.threads} as t`, 't.id', 'm.thread_id')
    .select('m.document_id as message_document_id', 't.document_id as thread_document_id')
    .where('m.id', messageId)
    .first();
  return row ? { messageId: String(row.message_document_id), threadId: String(row.thread_document_id) } : null;
};

/**
 * Of `userIds`, those whose users-permissions account (`usersTable`) is not confirmed: one
 * primary-key lookup per user, 5,000 to a statement.
 */
export const unconfirmedAmong = async (db: Db, usersTable: string, userIds: number[]) => {
  const out = new Set<number>();
  for (let i = 0; i < userIds.length; i += IDS_PER_STATEMENT) {
    const rows = (await db(usersTable).select('id', 'confirmed').whereIn('id', userIds.slice(i, i + IDS_PER_STATEMENT))) as Record<string, unknown>[];
    for (const row of rows) if (!(row.confirmed === true || row.confirmed === 1 || row.confirmed === '1')) out.add(toInt(row.id));
  }
  return out;
};

/* Tickets: the hash of a random token, the user it stands for, when it stops working. */

export const insertTicket = (db: Db, input: { tokenHash: string; userId: number; expiresAt: Date; documentId: string; now: Date }) =>
  db(TABLES.streamTickets).insert({
    document_id: input.documentId,
    created_at: input.now,
    updated_at: input.now,
    published_at: input.now,
    token_hash: input.tokenHash,
    user_id: input.userId,
    expires_at: input.expiresAt,
  });

const toDate = (value: unknown) =>
  value === null || value === undefined ? null : new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : (value as string | number | Date));

/**
 * The ticket with this hash, if it has not expired (a lookup of pm_stream_tickets_hash_uq), with
 * the hash of its stream's resume secret once it was used.
 */
export const findLiveTicket = async (db: Db, tokenHash: string, now: Date) => {
  const row = await db(TABLES.streamTickets)
    .select('id', 'user_id', 'expires_at', 'resume_hash')
    .where('token_hash', tokenHash)
    .andWhere('expires_at', '>', now)
    .first();
  if (!row || row.user_id == null) return null;
  return { id: toInt(row.id), userId: toInt(row.user_id), expiresAt: toDate(row.expires_at)!, resumeHash: row.resume_hash == null ? null : String(row.resume_hash) };
};

/** Marks a ticket used by storing its stream's resume hash; false when another request used it first. */
export const claimTicket = async (db: Db, ticketId: number, resumeHash: string) =>
  (await db(TABLES.streamTickets).where('id', ticketId).whereNull('resume_hash').update({ resume_hash: resumeHash })) === 1;

/**
 * What the per-user limits read (two range scans of pm_stream_tickets_user_idx): tickets issued
 * since `since`, and unused ones still alive, each with the moment the oldest stops counting.
 */
export const ticketCounts = async (db: Db, userId: number, since: Date, now: Date) => {
  const recent = await db(TABLES.streamTickets).where('user_id', userId).andWhere('created_at', '>', since).count({ n: '*' }).min({ oldest: 'created_at' }).first();
  const unused = await db(TABLES.streamTickets)
    .where('user_id', userId)
    .andWhere('expires_at', '>', now)
    .whereNull('resume_hash')
    .count({ n: '*' })
    .min({ soonest: 'expires_at' })
    .first();
  return {
    recent: toInt(recent?.n),
    oldestRecent: toDate(recent?.oldest),
    unused: toInt(unused?.n),
    soonestUnusedExpiry: toDate(unused?.soonest),
  };
};

/** Tickets expired before `before` (kept a while after expiry: the issuing rate counts them). */
export const deleteExpiredTickets = (db: Db, before: Date) => db(TABLES.streamTickets).where('expires_at', '<=', before).del();

/* The `poll` bus: one row per batch of events an instance published; every instance reads what is new. */

export const insertStreamEvent = async (db: Db, input: { origin: string; payload: string; documentId: string; now: Date }) =>
  toInt(
    (
      await insertReturning(
        db,
        TABLES.streamEvents,
        { document_id: input.documentId, created_at: input.now, updated_at: input.now, published_at: input.now, origin: input.origin, payload: input.payload },
        ['id']
      )
    ).id
  );

export const maxStreamEventId = async (db: Db) => toInt((await db(TABLES.streamEvents).max({ id: 'id' }).first())?.id);

/** Rows above `afterId` (primary-key range scan), oldest first. */
export const streamEventsAfter = async (db: Db, afterId: number, limit: number) =>
  ((await db(TABLES.streamEvents).select('id', 'origin', 'payload').where('id', '>', afterId).orderBy('id').limit(limit)) as Record<string, unknown>[]).map(
    (r) => ({ id: toInt(r.id), origin: String(r.origin), payload: String(r.payload) })
  );

export const deleteStreamEventsBefore = (db: Db, before: Date) => db(TABLES.streamEvents).where('created_at', '<', before).del();

/** PostgreSQL: a NOTIFY on the stream's channel, through the pool (the bus's listener has its own connection). */
export const notifyChannel = async (db: Db, channel: string, payload: string): Promise<void> => {
  await db.raw('select pg_notify(?, ?)', [channel, payload]);
};
