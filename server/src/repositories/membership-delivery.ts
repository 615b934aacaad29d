import { TABLES, toInt, yieldToEventLoop, type Db } from './db';
import { memberOf, narrowToAudience, seenBy, type Audience } from './visibility';
import { notDeclined, PENDING } from './message-requests';

/*
 * How a message reaches a thread's members (what counts as unread for whom): set-based statements,
 * chunked above DEFERRED_DELIVERY_ABOVE members, idempotent through each membership's
 * delivered_message_id. Who may see the message is visibility's (seenBy).
 */

/**
 * A delivery statement covers at most this many members. Each member's entries in the inbox and
 * unread indexes sit on their own pages: when those pages are not in memory, SQLite reads them from
 * disk inside the synchronous statement, so the chunk bounds that wait too (measured on a cold
 * 3.5 GB database: up to 43 ms for 250 members, 14 ms for 100).
 */
export const DELIVERY_CHUNK = 100;

/**
 * Threads of more members are delivered after the reply commits, by the outbox worker
 * (deliverMessageInChunks), not inside the reply's transaction. Written inside it, a 1,000-member
 * delivery dirtied ~1,750 pages (7 MB of WAL) that SQLite wrote at COMMIT, on the event loop, and
 * made the reply 3-5 times as slow as a 1:1 reply. The message, the thread and the author's own
 * state still commit together; members' counts follow within moments, exactly once (below).
 */
export const DEFERRED_DELIVERY_ABOVE = DELIVERY_CHUNK;

const M = TABLES.memberships;

/** An id we read from the database, inlined in SQL: never user input, and checked anyway. */
const sqlInt = (value: number) => {
  if (!Number.isSafeInteger(value)) throw new Error(`Not an integer id: ${value}`);
  return String(value);
};

/**
 * The thread's last message, for the membership row being updated: a membership delivered through
 * it has had everything (catchUp, backfillDeliveredMarks; the importer's rows, written as after
 * every delivery).
 */
export const THREAD_LAST_MESSAGE = `(select t.last_message_id from ${TABLES.threads} t where t.id = ${M}.thread_id)`;

/**
 * Messages of the member's thread not yet delivered to them, up to `through`, that count for
 * them: written by someone else, ones they see (visibility.seenBy: after their removal
 * watermark, for them in a broadcast, not written while they had blocked its author).
 * Served by `pm_messages_thread_order_idx` (thread_id, id): usually one message.
 */
const undelivered = (through: string) => `from ${TABLES.messages} m
  where m.thread_id = ${M}.thread_id and m.id > ${M}.delivered_message_id
    and m.id <= ${through} and (m.author_id is null or m.author_id <> ${M}.user_id)
    and ${seenBy('m', memberOf(M))}`;

/**
 * Delivery, the one definition of it. A membership's counts, inbox place and activity time
 * account for the thread's messages up to `delivered_message_id`; delivering through message X
 * adds what came after it, up to X, and moves the mark to X. Each message therefore counts once
 * per member, whichever of several deliveries (or read-state changes, which catch up first)
 * reaches the member first, in whatever order: the statement is idempotent.
 *
 * A message that counts brings the thread (back) to the inbox, moves it up to the message's
 * time, and counts as unread when it is after the member's read watermark. Members who left are
 * skipped, and so are declined requests (message-requests); members who blocked the author only
 * get their mark moved.
 */
const deliveryChanges = (db: Db, through: string, now: Date) => {
  const newest = `(select max(m.created_at) ${undelivered(through)})`;
  return {
    // A pending request stays in the requests folder (message-requests).
    in_inbox: db.raw(`case when ${M}.request_state = ? then in_inbox when exists (select 1 ${undelivered(through)}) then ? else in_inbox end`, [PENDING, true]),
    // A message from someone else brings an archived thread back to the inbox (membership-folders).
    archived: db.raw(`case when exists (select 1 ${undelivered(through)}) then ? else archived end`, [false]),
    last_activity_at: db.raw(`case when ${newest} > last_activity_at then ${newest} else last_activity_at end`),
    message_count: db.raw(`message_count + (select count(*) ${undelivered(through)})`),
    unread_count: db.raw(`unread_count + (select count(*) ${undelivered(through)} and m.id > ${M}.last_read_message_id)`),
    // Kept in broadcasts only (null elsewhere): the newest message the member may see.
    last_visible_message_id: db.raw(
      `case when last_visible_message_id is null then null
            when (select max(m.id) ${undelivered(through)}) > last_visible_message_id then (select max(m.id) ${undelivered(through)})
            else last_visible_message_id end`
    ),
    delivered_message_id: db.raw(through),
    updated_at: now,
  };
};

/** Who a message is for (visibility): its author and audience. */
export type MessageAudience = { authorId: number | null; audience: Audience; audienceUserId: number | null };

/**
 * A message reaching at most DEFERRED_DELIVERY_ABOVE members: delivers it to them, in one
 * statement (the reply's transaction). Only the members of its audience are touched (a
 * broadcast recipient's reply: the starter's row); the others' marks stay behind, and their
 * next delivery skips it (seenBy).
 */
export const deliverMessage = (db: Db, input: { threadId: number; messageId: number; now: Date; message?: MessageAudience }) =>
  narrowToAudience(
    db(M).where('thread_id', input.threadId).andWhere('delivered_message_id', '<', input.messageId).whereNull('left_at').whereRaw(notDeclined()),
    (c) => c,
    input.message ?? { authorId: null, audience: null, audienceUserId: null }
  ).update(deliveryChanges(db, sqlInt(input.messageId), input.now));

/**
 * The outbox worker's delivery of a message to a big thread: DELIVERY_CHUNK members per
 * statement, each committed on its own, with a full turn of the event loop between them. Safe to
 * run again (after a crash, or by two workers): members already delivered are skipped.
 */
export const deliverMessageInChunks = async (db: Db, input: { threadId: number; messageId: number; now: Date }) => {
  const message = await db(TABLES.messages).select('author_id', 'audience', 'audience_user_id').where('id', input.messageId).first();
  if (!message) return 0;
  const ids = (
    await narrowToAudience(
      db(M).select('id').where('thread_id', input.threadId).andWhere('delivered_message_id', '<', input.messageId).whereNull('left_at').whereRaw(notDeclined()),
      (c) => c,
      { authorId: message.author_id == null ? null : toInt(message.author_id), audience: message.audience ?? null, audienceUserId: message.audience_user_id == null ? null : toInt(message.audience_user_id) }
    ).orderBy('id')
  ).map((r: { id: unknown }) => toInt(r.id));
  let delivered = 0;
  for (let i = 0; i < ids.length; i += DELIVERY_CHUNK) {
    await yieldToEventLoop();
    // Conditions again: a member may have left, or been delivered to, since the ids were read.
    delivered += toInt(
      await db(M)
        .whereIn('id', ids.slice(i, i + DELIVERY_CHUNK))
        .andWhere('delivered_message_id', '<', input.messageId)
        .whereNull('left_at')
        .update(deliveryChanges(db, sqlInt(input.messageId), input.now))
    );
  }
  return delivered;
};

/**
 * Delivers to these memberships whatever of their threads they have not had yet. Read-state
 * changes run it first (inside their transaction, on locked rows), so a message still on its way
 * is counted before it is marked read or unread, and never again after.
 */
export const catchUpMemberships = (db: Db, membershipIds: number[], now: Date) => catchUp(db, 'id', membershipIds, now);

/**
 * The same for every current member of these threads: a purge runs it before recounting, since a
 * recount fixes the counts but would not bring the thread back to an inbox or move it up.
 */
export const catchUpThreads = (db: Db, threadIds: number[], now: Date) => catchUp(db, 'thread_id', threadIds, now);

const catchUp = (db: Db, column: 'id' | 'thread_id', ids: number[], now: Date) =>
  ids.length === 0
    ? Promise.resolve(0)
    : db(M)
        .whereIn(column, ids)
        .andWhere('delivered_message_id', '<', db.raw(THREAD_LAST_MESSAGE))
        .whereNull('left_at')
        .whereRaw(notDeclined())
        .update(deliveryChanges(db, THREAD_LAST_MESSAGE, now));

/**
 * Memberships from before `delivered_message_id` existed (the column is null there) count
 * everything up to their thread's last message as delivered. Run once per database, at boot.
 */
export const backfillDeliveredMarks = (db: Db) =>
  db(M).whereNull('delivered_message_id').update({ delivered_message_id: db.raw(THREAD_LAST_MESSAGE) });

/**
 * A new thread's memberships are written with its first message delivered; a member who does not
 * see it (visibility.seenBy: they had blocked the author when it was written, which a send that
 * bypasses the rules, or one racing the block, can meet) has it undelivered instead: nothing
 * counted, not in their inbox. Narrowed to the author's blockers first (pm_blocks_blocked_idx):
 * usually nobody, and no member row is read.
 */
export const withholdUnseenFirstMessage = (db: Db, input: { threadId: number; messageId: number; authorId: number }) =>
  db(M)
    .where('thread_id', input.threadId)
    .whereNot('user_id', input.authorId)
    .whereIn('user_id', db(TABLES.blocks).select('blocker_id').where('blocked_id', input.authorId))
    .whereRaw(`not exists (select 1 from ${TABLES.messages} m where m.id = ? and ${seenBy('m', memberOf(M))})`, [input.messageId])
    .update({
      in_inbox: false,
      unread_count: 0,
      message_count: 0,
      last_visible_message_id: db.raw('case when last_visible_message_id is null then null else 0 end'),
    });

/**
 * The author has read everything up to their own message, and the thread is in their folders
 * and their Sent list; an archived thread stays archived (membership-folders).
 */
export const recordAuthorActivity = (
  db: Db,
  input: { threadId: number; authorId: number; messageId: number; now: Date }
) =>
  db(TABLES.memberships)
    .where({ thread_id: input.threadId, user_id: input.authorId })
    .whereNull('left_at')
    .update({
      in_inbox: true,
      has_sent: true,
      last_activity_at: input.now,
      last_read_message_id: input.messageId,
      unread_count: 0,
      message_count: db.raw('message_count + 1'),
      last_visible_message_id: db.raw(`case when last_visible_message_id is null then null else ${sqlInt(input.messageId)} end`),
      updated_at: input.now,
    });
