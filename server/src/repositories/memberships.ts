import { TABLES, toBool, toInt, toIso, type Db } from './db';
import { mapThread, type ThreadRow } from './threads';

export type MembershipRow = {
  id: number;
  threadId: number;
  userId: number;
  inInbox: boolean;
  lastActivityAt: string;
  lastReadMessageId: number;
  unreadCount: number;
  messageCount: number;
  visibleAfterMessageId: number;
  removedAt: string | null;
  leftAt: string | null;
};

const MEMBERSHIP_COLUMNS = [
  'id', 'thread_id', 'user_id', 'in_inbox', 'last_activity_at', 'last_read_message_id', 'unread_count',
  'message_count', 'visible_after_message_id', 'removed_at', 'left_at',
];

const mapMembership = (r: Record<string, unknown>, prefix = ''): MembershipRow => ({
  id: toInt(r[`${prefix}id`]),
  threadId: toInt(r[`${prefix}thread_id`]),
  userId: toInt(r[`${prefix}user_id`]),
  inInbox: toBool(r[`${prefix}in_inbox`]),
  lastActivityAt: toIso(r[`${prefix}last_activity_at`]) as string,
  lastReadMessageId: toInt(r[`${prefix}last_read_message_id`]),
  unreadCount: toInt(r[`${prefix}unread_count`]),
  messageCount: toInt(r[`${prefix}message_count`]),
  visibleAfterMessageId: toInt(r[`${prefix}visible_after_message_id`]),
  removedAt: toIso(r[`${prefix}removed_at`]),
  leftAt: toIso(r[`${prefix}left_at`]),
});

export type MemberView = { membership: MembershipRow; thread: ThreadRow };

const membershipSelect = MEMBERSHIP_COLUMNS.map((c) => `ms.${c} as ms_${c}`);

/** The caller's current membership of a thread (by documentId), or null: not a member, or left. */
export const findActiveMembership = async (db: Db, userId: number, threadDocumentId: string): Promise<MemberView | null> => {
  const row = await db(`${TABLES.memberships} as ms`)
    .join(`${TABLES.threads} as t`, 't.id', 'ms.thread_id')
    .select('t.*', ...membershipSelect)
    .where('t.document_id', threadDocumentId)
    .andWhere('ms.user_id', userId)
    .whereNull('ms.left_at')
    .first();
  return row ? { membership: mapMembership(row, 'ms_'), thread: mapThread(row) } : null;
};

export const findActiveMembershipByThreadId = async (db: Db, userId: number, threadId: number) => {
  const row = await db(TABLES.memberships)
    .select(MEMBERSHIP_COLUMNS)
    .where({ thread_id: threadId, user_id: userId })
    .whereNull('left_at')
    .first();
  return row ? mapMembership(row) : null;
};

export type InboxCursor = { lastActivityAt: number; threadId: number };

/**
 * One inbox page: a range scan of `pm_memberships_inbox_idx` (user_id, in_inbox, last_activity_at,
 * thread_id) in index order, stopping after `limit` rows, then primary-key lookups of the thread
 * and its last message. No sort, whatever the size of the user's history.
 */
export const listInboxPage = async (db: Db, userId: number, limit: number, after?: InboxCursor) => {
  const q = db(`${TABLES.memberships} as ms`)
    .join(`${TABLES.threads} as t`, 't.id', 'ms.thread_id')
    .select('t.*', ...membershipSelect)
    .where('ms.user_id', userId)
    .andWhere('ms.in_inbox', true)
    .orderBy([
      { column: 'ms.last_activity_at', order: 'desc' },
      { column: 'ms.thread_id', order: 'desc' },
    ])
    .limit(limit);
  if (after) {
    const at = new Date(after.lastActivityAt);
    q.andWhere('ms.last_activity_at', '<=', at).andWhere((w) =>
      w.where('ms.last_activity_at', '<', at).orWhere('ms.thread_id', '<', after.threadId)
    );
  }
  return (await q).map((row: Record<string, unknown>) => ({
    membership: mapMembership(row, 'ms_'),
    thread: mapThread(row),
  }));
};

/** Members of the given threads (current and departed), in joining order. */
export const listMembers = async (db: Db, threadIds: number[]) =>
  threadIds.length === 0
    ? []
    : (
        await db(TABLES.memberships)
          .select('thread_id', 'user_id', 'left_at')
          .whereIn('thread_id', threadIds)
          .orderBy('id', 'asc')
      ).map((r: Record<string, unknown>) => ({
        threadId: toInt(r.thread_id),
        userId: toInt(r.user_id),
        left: r.left_at !== null && r.left_at !== undefined,
      }));

/** `{threads, messages}` unread for a user: served by `pm_memberships_unread_idx`. */
export const countUnread = async (db: Db, userId: number) => {
  const row = await db(TABLES.memberships)
    .where('user_id', userId)
    .andWhere('unread_count', '>', 0)
    .count({ threads: '*' })
    .sum({ messages: 'unread_count' })
    .first();
  return { threads: toInt(row?.threads), messages: toInt(row?.messages) };
};

/**
 * A new message reaches every current member but its author in one set-based statement: the
 * thread comes (back) to their inbox, moves to the top, and counts one more unread message.
 */
export const deliverToMembers = (db: Db, input: { threadId: number; authorId: number; now: Date }) =>
  db(TABLES.memberships)
    .where('thread_id', input.threadId)
    .whereNot('user_id', input.authorId)
    .whereNull('left_at')
    .update({
      in_inbox: true,
      last_activity_at: input.now,
      unread_count: db.raw('unread_count + 1'),
      message_count: db.raw('message_count + 1'),
      updated_at: input.now,
    });

/** The author has read everything up to their own message. */
export const recordAuthorActivity = (
  db: Db,
  input: { threadId: number; authorId: number; messageId: number; now: Date }
) =>
  db(TABLES.memberships)
    .where({ thread_id: input.threadId, user_id: input.authorId })
    .update({
      in_inbox: true,
      last_activity_at: input.now,
      last_read_message_id: input.messageId,
      unread_count: 0,
      message_count: db.raw('message_count + 1'),
      updated_at: input.now,
    });

/**
 * Takes the membership row's write lock before the caller reads the thread's last message, so a
 * concurrent send (thread first, then memberships) is either wholly before or wholly after us.
 */
export const lockMembership = (db: Db, membershipId: number) =>
  db(TABLES.memberships).where({ id: membershipId }).update({ unread_count: db.raw('unread_count') });

export const updateMembership = (db: Db, membershipId: number, values: Record<string, unknown>) =>
  db(TABLES.memberships).where({ id: membershipId }).update(values);

export const getMembership = async (db: Db, membershipId: number) =>
  mapMembership(await db(TABLES.memberships).select(MEMBERSHIP_COLUMNS).where({ id: membershipId }).first());
