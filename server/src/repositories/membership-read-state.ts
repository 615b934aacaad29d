import { TABLES, toInt, type Db } from './db';
import { forUpdate } from './dialect';
import { lockThreads } from './threads';
import { memberOf, seenBy } from './visibility';
import { DECLINED } from './message-requests';

/*
 * Set-based forms of the read-state changes, over any number of the user's memberships at once
 * (POST /threads/:id/read and friends pass one, POST /threads/actions up to a hundred). The rules
 * are read-state's; these are its statements. Callers lock the rows first (lockActiveMemberships).
 */

const threadColumnOf = (db: Db, column: string) =>
  db.raw(`(select t.${column} from ${TABLES.threads} t where t.id = ${TABLES.memberships}.thread_id)`);

/**
 * The user's current memberships of the given threads (by documentId), locked for the rest of
 * the transaction. Threads the user never belonged to, or left, are simply missing from the result.
 *
 * In the plugin's lock order (dialect.forUpdate): the threads' rows first, in id order, as a
 * reply locks its thread before the thread's memberships; then the memberships, in id order. A
 * reply in flight to one of them commits first, so the caller's statements see its delivery.
 * The memberships are found before anything is locked (a non-member locks nothing of a thread),
 * and read again under the lock: the user may have left meanwhile.
 */
export const lockActiveMemberships = async (db: Db, userId: number, threadDocumentIds: string[]) => {
  if (threadDocumentIds.length === 0) return [];
  const current = () => db(`${TABLES.memberships} as ms`).where('ms.user_id', userId).whereNull('ms.left_at');
  const candidates: Record<string, unknown>[] = await current()
    .join(`${TABLES.threads} as t`, 't.id', 'ms.thread_id')
    .select('ms.thread_id', 't.document_id')
    .whereIn('t.document_id', threadDocumentIds);
  if (candidates.length === 0) return [];
  const documentIds = new Map(candidates.map((r) => [toInt(r.thread_id), String(r.document_id)]));
  const threadIds = [...documentIds.keys()];
  await lockThreads(db, threadIds);
  const locked = await forUpdate(db, current().select('ms.id', 'ms.thread_id').whereIn('ms.thread_id', threadIds).orderBy('ms.id', 'asc'));
  return locked.map((r: Record<string, unknown>) => ({
    id: toInt(r.id),
    threadId: toInt(r.thread_id),
    threadDocumentId: documentIds.get(toInt(r.thread_id))!,
  }));
};

/** Everything read: the watermark moves to each thread's last message. */
export const markReadMany = (db: Db, membershipIds: number[]) =>
  membershipIds.length === 0
    ? Promise.resolve(0)
    : db(TABLES.memberships)
        .whereIn('id', membershipIds)
        .update({ unread_count: 0, last_read_message_id: threadColumnOf(db, 'last_message_id') });

/**
 * The newest message from someone else that the user sees (visibility.seenBy) becomes
 * the only unread one; memberships of threads with no such message are left alone. Returns how
 * many changed. Each lookup walks `pm_messages_thread_order_idx` (thread_id, id) backwards.
 */
export const markNewestUnreadMany = (db: Db, userId: number, membershipIds: number[]) => {
  if (membershipIds.length === 0) return Promise.resolve(0);
  const fromOthers = () =>
    db(`${TABLES.messages} as m`)
      .whereRaw(`m.thread_id = ${TABLES.memberships}.thread_id`)
      // Only a message already delivered to the member: on PostgreSQL a reply to a big thread can
      // commit between the caller's catch-up and this statement, and its delivery, still to come,
      // will count it as unread then (after this watermark), not twice.
      .whereRaw(`m.id <= ${TABLES.memberships}.delivered_message_id`)
      .andWhere((w) => w.whereNot('m.author_id', userId).orWhereNull('m.author_id'))
      .whereRaw(seenBy('m', memberOf(TABLES.memberships)));
  return db(TABLES.memberships)
    .whereIn('id', membershipIds)
    .whereExists(fromOthers().select(db.raw('1')))
    .update({ last_read_message_id: db.raw('(?) - 1', [fromOthers().max('m.id')]), unread_count: 1 });
};

/** Out of every folder until the next message, which will show only what came after now. */
export const removeFromInboxMany = (db: Db, membershipIds: number[], now: Date) =>
  membershipIds.length === 0
    ? Promise.resolve(0)
    : db(TABLES.memberships)
        .whereIn('id', membershipIds)
        .update({
          in_inbox: false,
          archived: false,
          has_sent: false,
          removed_at: now,
          unread_count: 0,
          message_count: 0,
          visible_after_message_id: threadColumnOf(db, 'last_message_id'),
          last_read_message_id: threadColumnOf(db, 'last_message_id'),
          // Nothing before the new visibility watermark counts: nothing is left to deliver.
          delivered_message_id: threadColumnOf(db, 'last_message_id'),
          // Removing a pending message request declines it (repositories/message-requests).
          request_state: db.raw(`case when request_state = 'pending' then 'declined' else request_state end`),
          updated_at: now,
        });

/** Declines a pending request (message-requests): removed from every folder, as a removal, and left out of delivery. */
export const declineMembership = async (db: Db, membershipId: number, now: Date) => {
  await removeFromInboxMany(db, [membershipId], now);
  await db(TABLES.memberships).where('id', membershipId).update({ request_state: DECLINED });
};

/**
 * What a current member's counts must be, recomputed from the messages, as SQL on the memberships
 * row `ms`: the definition the incremental updates (deliveryChanges, the read-state changes) keep.
 * A message counts for a member when they see it (visibility.seenBy); it is unread when it is also
 * after their read watermark and written by someone else. recountMemberships writes it;
 * scripts/generate/verify.js and the tests compare the stored counts with it.
 */
export const recountedCounts = (ms: string) => {
  const visible = `from ${TABLES.messages} m where m.thread_id = ${ms}.thread_id and ${seenBy('m', memberOf(ms))}`;
  return {
    visible,
    messageCount: `(select count(*) ${visible})`,
    unreadCount: `(select count(*) ${visible} and m.id > ${ms}.last_read_message_id and (m.author_id is null or m.author_id <> ${ms}.user_id))`,
  };
};

/** Writes recountedCounts on the current members of these threads (after a purge; by tests). */
export const recountMemberships = async (db: Db, threadIds: number[]) => {
  if (threadIds.length === 0) return;
  const ms = TABLES.memberships;
  const { visible, messageCount, unreadCount } = recountedCounts(ms);
  await db(ms)
    .whereIn('thread_id', threadIds)
    .whereNull('left_at')
    .update({
      delivered_message_id: threadColumnOf(db, 'last_message_id'),
      message_count: db.raw(messageCount),
      unread_count: db.raw(unreadCount),
      last_visible_message_id: db.raw(
        `case when last_visible_message_id is null then null else coalesce((select max(m.id) ${visible}), last_visible_message_id) end`
      ),
    });
};
