import { TABLES, toInt, type Db } from './db';
import { DECLINED_REQUEST } from './visibility';

/*
 * Message requests are membership state, `request_state`:
 *   null        never a request (every thread before requests, and threads between contacts);
 *   'pending'   in the member's requests folder: not in the inbox (in_inbox false), not in the
 *               inbox's unread counts (unread-counts: `requests`), no email, no message.created;
 *               delivery counts its messages (unread_count) but leaves it out of the inbox;
 *   'accepted'  was a request, answered: an ordinary thread from then on;
 *   'declined'  removed (as DELETE /threads/:id does) and left alone: delivery skips it, so the
 *               author's later messages never bring it back (membership-read-state: declineMembership).
 * The requests folder is the equality prefix (user_id, request_state) of pm_memberships_requests_idx,
 * followed by (last_activity_at, thread_id), like every folder (membership-folders).
 */
const M = TABLES.memberships;

export const PENDING = 'pending';
export const ACCEPTED = 'accepted';
export const DECLINED = DECLINED_REQUEST;

/** Narrows memberships (`alias`) to those delivery still reaches: every one but declined requests. */
export const notDeclined = (alias = M) => `(${alias}.request_state is null or ${alias}.request_state <> '${DECLINED}')`;

/** These members of a new thread get it as a request: in their requests folder, not their inbox. */
export const markPending = (db: Db, threadId: number, userIds: number[], now: Date) =>
  userIds.length === 0
    ? Promise.resolve(0)
    : db(M).where('thread_id', threadId).whereIn('user_id', userIds).update({ request_state: PENDING, in_inbox: false, archived: false, updated_at: now });

/** A pending (or declined) request answered: into the inbox, an ordinary thread from now on. */
export const acceptMembership = (db: Db, membershipId: number, now: Date) =>
  db(M)
    .where('id', membershipId)
    .whereIn('request_state', [PENDING, DECLINED])
    .update({ request_state: ACCEPTED, in_inbox: true, archived: false, updated_at: now });

/**
 * Of `recipientIds`, those `authorId` may not send a new request to now: a request of theirs is
 * still pending, or one was declined within the last day (`since`). One range of the requests
 * index per recipient, each joined to its thread by primary key.
 */
export const recentRequestsTo = async (db: Db, authorId: number, recipientIds: number[], since: Date) => {
  if (recipientIds.length === 0) return new Set<number>();
  const rows = await db(`${M} as ms`)
    .join(`${TABLES.threads} as t`, 't.id', 'ms.thread_id')
    .select('ms.user_id')
    .whereIn('ms.user_id', recipientIds)
    .andWhere('t.starter_id', authorId)
    .andWhere((w) => w.where('ms.request_state', PENDING).orWhere((d) => d.where('ms.request_state', DECLINED).andWhere('t.created_at', '>=', since)));
  return new Set(rows.map((r: Record<string, unknown>) => toInt(r.user_id)));
};

/** Whether a current member of the thread other than `exceptUserId` still has it as a pending request. */
export const hasPendingMember = async (db: Db, threadId: number, exceptUserId: number) =>
  Boolean(
    await db(M).select('id').where({ thread_id: threadId, request_state: PENDING }).whereNot('user_id', exceptUserId).whereNull('left_at').first()
  );

/** Messages `authorId` wrote in the thread (the request limit). Served by pm_messages_thread_order_idx. */
export const countAuthorMessages = async (db: Db, threadId: number, authorId: number) =>
  toInt((await db(TABLES.messages).where({ thread_id: threadId, author_id: authorId }).count({ n: '*' }).first())?.n);

/**
 * Threads `authorId` started since `since`: all of them, and those to someone who was not a
 * contact (pm_threads_starter_idx: one range).
 */
export const countStartedSince = async (db: Db, authorId: number, since: Date) => {
  const row = await db(TABLES.threads)
    .where('starter_id', authorId)
    .andWhere('created_at', '>=', since)
    .select(db.raw('count(*) as total'), db.raw('sum(case when to_strangers = ? then 1 else 0 end) as strangers', [true]))
    .first();
  return { total: toInt(row?.total), strangers: toInt(row?.strangers) };
};

/** The oldest thread of that range (for Retry-After): when it leaves the day, one more may start. */
export const oldestStartedSince = async (db: Db, authorId: number, since: Date, strangersOnly: boolean) => {
  const q = db(TABLES.threads).min({ at: 'created_at' }).where('starter_id', authorId).andWhere('created_at', '>=', since);
  if (strangersOnly) q.andWhere('to_strangers', true);
  return (await q.first())?.at ?? null;
};

/**
 * Per author, over threads started since `since`: requests sent, declined, and declined with a
 * block (the blocker's block opened after the thread was started), for the moderation page.
 */
export const requestStatsSince = async (db: Db, since: Date, authorIds?: number[]) => {
  const q = db(`${M} as ms`)
    .join(`${TABLES.threads} as t`, 't.id', 'ms.thread_id')
    .select('t.starter_id')
    .count({ sent: '*' })
    .select(db.raw(`sum(case when ms.request_state = '${DECLINED}' then 1 else 0 end) as declined`))
    .select(
      db.raw(
        `sum(case when ms.request_state = '${DECLINED}' and exists (select 1 from ${TABLES.blocks} b
           where b.blocker_id = ms.user_id and b.blocked_id = t.starter_id and b.through_message_id is null) then 1 else 0 end) as blocked`
      )
    )
    .whereIn('ms.request_state', [PENDING, ACCEPTED, DECLINED])
    .andWhere('t.created_at', '>=', since)
    .whereNotNull('t.starter_id')
    .groupBy('t.starter_id');
  if (authorIds) q.whereIn('t.starter_id', authorIds);
  return ((await q) as Record<string, unknown>[]).map((r) => ({
    userId: toInt(r.starter_id),
    sent: toInt(r.sent),
    declined: toInt(r.declined),
    declinedWithBlock: toInt(r.blocked),
  }));
};
