import { TABLES, toBool, toInt, toIso, type Db } from './db';
import { rawRows, selectRows, whereLikeInsensitive } from './dialect';
import { mapThread, THREAD_COLUMNS, threadIdsOf, type ThreadRow } from './threads';
import { whereInFolder, type Folder } from './membership-folders';
import { memberOf, memberSees, seenBy } from './visibility';

export type MembershipRow = {
  id: number;
  threadId: number;
  userId: number;
  /** In one of the member's folders (membership-folders): the inbox, or the archive when `archived`. */
  inInbox: boolean;
  archived: boolean;
  lastActivityAt: string;
  lastReadMessageId: number;
  unreadCount: number;
  messageCount: number;
  visibleAfterMessageId: number;
  removedAt: string | null;
  leftAt: string | null;
  /** Reached only through a role: sees the thread as a conversation with its starter (repositories/visibility). */
  hidden: boolean;
  /** A message request's state (message-requests): null, pending, accepted or declined. */
  requestState: string | null;
};

const MEMBERSHIP_COLUMNS = [
  'id', 'thread_id', 'user_id', 'in_inbox', 'archived', 'last_activity_at', 'last_read_message_id', 'unread_count',
  'message_count', 'visible_after_message_id', 'removed_at', 'left_at', 'hidden', 'request_state',
];

const mapMembership = (r: Record<string, unknown>, prefix = ''): MembershipRow => ({
  id: toInt(r[`${prefix}id`]),
  threadId: toInt(r[`${prefix}thread_id`]),
  userId: toInt(r[`${prefix}user_id`]),
  inInbox: toBool(r[`${prefix}in_inbox`]),
  archived: toBool(r[`${prefix}archived`]),
  lastActivityAt: toIso(r[`${prefix}last_activity_at`]) as string,
  lastReadMessageId: toInt(r[`${prefix}last_read_message_id`]),
  unreadCount: toInt(r[`${prefix}unread_count`]),
  messageCount: toInt(r[`${prefix}message_count`]),
  visibleAfterMessageId: toInt(r[`${prefix}visible_after_message_id`]),
  removedAt: toIso(r[`${prefix}removed_at`]),
  leftAt: toIso(r[`${prefix}left_at`]),
  hidden: toBool(r[`${prefix}hidden`]),
  requestState: (r[`${prefix}request_state`] as string | null) ?? null,
});

/** What a thread list shows of a thread's last message. */
export type MessagePreview = {
  id: number;
  documentId: string;
  threadId: number;
  authorId: number | null;
  excerpt: string;
  deletedAt: string | null;
  createdAt: string;
};

export type MemberView = {
  membership: MembershipRow;
  thread: ThreadRow;
  /**
   * The last message the member sees: the thread's, or when that one is not theirs to see, the
   * one kept on their membership in broadcasts (last_visible_message_id).
   */
  lastMessage: MessagePreview | null;
  /**
   * The thread's last message is not theirs to see (visibility.seenBy: before their removal
   * watermark, written while they blocked its author) and none is kept: look for their newest one.
   */
  lastMessageHidden: boolean;
};

const membershipSelect = MEMBERSHIP_COLUMNS.map((c) => `ms.${c} as ms_${c}`);

const previewSelect = (alias: string) => [
  `${alias}.id as ${alias}_id`,
  `${alias}.document_id as ${alias}_document_id`,
  `${alias}.author_id as ${alias}_author_id`,
  `${alias}.excerpt as ${alias}_excerpt`,
  `${alias}.deleted_at as ${alias}_deleted_at`,
  `${alias}.created_at as ${alias}_created_at`,
];

/**
 * A membership joined to its thread, the thread's last message and (in broadcasts) the member's
 * own last visible message, in one statement: each message is a primary-key lookup, and whether
 * the member sees the thread's last one (visibility.seenBy) a lookup of the blocks' unique
 * (blocker_id, blocked_id, after_message_id) index, per row returned.
 */
const memberViews = (db: Db) =>
  db(`${TABLES.memberships} as ms`)
    .join(`${TABLES.threads} as t`, 't.id', 'ms.thread_id')
    .leftJoin(`${TABLES.messages} as lm`, 'lm.id', 't.last_message_id')
    .leftJoin(`${TABLES.messages} as lv`, (j) => j.on('lv.id', 'ms.last_visible_message_id').andOn(db.raw(seenBy('lv', memberOf('ms')))))
    .select(
      ...THREAD_COLUMNS.map((c) => `t.${c}`),
      ...membershipSelect,
      ...previewSelect('lm'),
      ...previewSelect('lv'),
      db.raw(`case when lm.id is not null and not ${seenBy('lm', memberOf('ms'))} then 1 else 0 end as lm_hidden`)
    );

const previewOf = (row: Record<string, unknown>, alias: string, threadId: number): MessagePreview | null =>
  row[`${alias}_document_id`] == null
    ? null
    : {
        id: toInt(row[`${alias}_id`]),
        documentId: String(row[`${alias}_document_id`]),
        threadId,
        authorId: row[`${alias}_author_id`] == null ? null : toInt(row[`${alias}_author_id`]),
        excerpt: (row[`${alias}_excerpt`] as string) ?? '',
        deletedAt: toIso(row[`${alias}_deleted_at`]),
        createdAt: toIso(row[`${alias}_created_at`]) as string,
      };

const mapMemberView = (row: Record<string, unknown>): MemberView => {
  const thread = mapThread(row);
  const membership = mapMembership(row, 'ms_');
  const last = previewOf(row, 'lm', thread.id);
  if (last === null || !toBool(row.lm_hidden)) return { membership, thread, lastMessage: last, lastMessageHidden: false };
  // Not theirs to see: the one kept on the membership (broadcasts), else their newest visible one.
  const kept = previewOf(row, 'lv', thread.id);
  return kept ? { membership, thread, lastMessage: kept, lastMessageHidden: false } : { membership, thread, lastMessage: last, lastMessageHidden: true };
};

/** The caller's current membership of a thread (by documentId), or null: not a member, or left. */
export const findActiveMembership = async (db: Db, userId: number, threadDocumentId: string): Promise<MemberView | null> => {
  const [row] = await selectRows(
    db,
    memberViews(db)
      .where('ms.thread_id', threadIdsOf(db, [threadDocumentId]))
      .andWhere('ms.user_id', userId)
      .whereNull('ms.left_at')
      .limit(1)
  );
  return row ? mapMemberView(row) : null;
};

export type InboxCursor = { lastActivityAt: number; threadId: number };

/** Inbox filters; each narrows the page, and they combine (AND) with each other and the cursor. */
export type InboxFilters = {
  /** Internal id of one of the user's tags: threads the user tagged with it. */
  tagId?: number;
  /** Threads this user is (or was) a member of as well. */
  participantId?: number;
  /** Threads whose subject contains this text, case-insensitively. */
  subjectContains?: string;
  /** Or that hold a message matching it the member sees (message-search.threadHasMatch). */
  orMessageMatch?: { sql: string; bindings: string[] };
  /** Threads with unread messages only. */
  unreadOnly?: boolean;
  /** Threads about documents of this content type (and this document): repositories/contexts. */
  context?: { uid: string; documentId?: string };
};

/** `%text%` for LIKE, with LIKE's own wildcards taken literally (escaped with a backslash). */
const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * One page of a folder (membership-folders: inbox, archived, all, sent): a range scan of the
 * folder's index (user_id, <folder columns>, last_activity_at, thread_id) in index order, stopping
 * after `limit` rows, with primary-key lookups of the thread and its last message (see
 * memberViews). No sort, whatever the size of the user's history.
 *
 * Filters (see docs/inbox-filters.md for the plans):
 * - `tagId` joins the link table through its `tag_id` index, so only the tagged threads are read;
 * - `participantId` joins the other user's memberships through the unique (thread_id, user_id)
 *   index (or from their side, through their `user_id` index, whichever is smaller);
 * - `unreadOnly` can start from `pm_memberships_unread_idx` (user_id, unread_count), the user's
 *   unread threads only;
 * - `subjectContains` no B-tree can serve: it filters the inbox scan, which still stops after
 *   `limit` matches.
 */
export const listInboxPage = async (
  db: Db,
  userId: number,
  limit: number,
  after?: InboxCursor,
  filters: InboxFilters = {},
  folder: Folder = 'inbox'
) => {
  const q = whereInFolder(memberViews(db).where('ms.user_id', userId), folder)
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
  if (filters.tagId !== undefined) {
    // (membership_id, tag_id) is unique: the join never repeats a thread.
    q.join(`${TABLES.membershipTags} as lt`, (j) => j.on('lt.membership_id', 'ms.id').andOnVal('lt.tag_id', filters.tagId as number));
  }
  if (filters.participantId !== undefined) {
    // (thread_id, user_id) is unique: the join never repeats a thread. Only members the viewer
    // is shown count (a broadcast's other recipients are not).
    q.join(`${TABLES.memberships} as pm`, (j) =>
      j.on('pm.thread_id', 'ms.thread_id').andOnVal('pm.user_id', filters.participantId as number)
    );
    q.whereRaw(memberSees('ms', 'pm', 't'));
  }
  if (filters.unreadOnly) q.andWhere('ms.unread_count', '>', 0);
  if (filters.context) q.andWhere('t.context_uid', filters.context.uid);
  if (filters.context?.documentId) q.andWhere('t.context_document_id', filters.context.documentId);
  const { subjectContains, orMessageMatch: match } = filters;
  if (subjectContains && match) {
    q.where((w) => void whereLikeInsensitive(db, w as unknown as typeof q, 't.subject', containsPattern(subjectContains)).orWhereRaw(match.sql, match.bindings));
  } else if (subjectContains) whereLikeInsensitive(db, q, 't.subject', containsPattern(subjectContains));
  return (await selectRows(db, q)).map(mapMemberView);
};

/**
 * Which of a thread's members a viewer is shown (visibility.membersShown): all, those not
 * hidden, or only these user ids (the starter and a hidden viewer themselves).
 */
export type MemberScope = { listedOnly?: boolean; userIds?: number[] };

const mapMember = (r: Record<string, unknown>) => ({
  threadId: toInt(r.thread_id),
  userId: toInt(r.user_id),
  left: r.left_at !== null && r.left_at !== undefined,
});

/**
 * Members of the given threads (current and departed), at most `perThread` per thread by user id,
 * in one statement: threads that never had more than `perThread` members (most of them) in one
 * IN list on the unique (thread_id, user_id) index; each bigger one in its own range scan of that
 * index that stops after `perThread` rows. An inbox page with 1,000-member groups on it reads
 * 25 × `perThread` memberships at most, not every member.
 */
export const listMembers = async (
  db: Db,
  threads: { id: number; memberCount: number; scope?: MemberScope }[],
  perThread: number
) => {
  if (threads.length === 0) return [];
  const small = threads.filter((t) => t.memberCount <= perThread && !t.scope).map((t) => t.id);
  const big = threads.filter((t) => t.memberCount > perThread && !t.scope).map((t) => t.id);
  const parts: string[] = [];
  const bindings: number[] = [];
  if (small.length > 0) {
    parts.push(`select thread_id, user_id, left_at from ${TABLES.memberships} where thread_id in (${small.map(() => '?').join(', ')}) and user_id is not null`);
    bindings.push(...small);
  }
  big.forEach((id, i) => {
    parts.push(`select * from (select thread_id, user_id, left_at from ${TABLES.memberships} where thread_id = ? and user_id is not null order by user_id limit ?) p${i}`);
    bindings.push(id, perThread);
  });
  threads.forEach((t, i) => {
    if (!t.scope) return;
    const only = t.scope.userIds ?? [];
    const conditions = [
      t.scope.listedOnly ? ' and coalesce(hidden, false) = false' : '',
      t.scope.userIds ? ` and user_id in (${only.length > 0 ? only.map(() => '?').join(', ') : 'null'})` : '',
    ].join('');
    parts.push(`select * from (select thread_id, user_id, left_at from ${TABLES.memberships} where thread_id = ? and user_id is not null${conditions} order by user_id limit ?) s${i}`);
    bindings.push(t.id, ...only, perThread);
  });
  const rows = await rawRows(db, parts.join(' union all '), bindings);
  return rows.map(mapMember).sort((a, b) => a.threadId - b.threadId || a.userId - b.userId);
};

/**
 * Takes the membership row's write lock before the caller reads the thread's last message, so a
 * concurrent send (thread first, then memberships) is either wholly before or wholly after us.
 */
export const lockMembership = (db: Db, membershipId: number) =>
  db(TABLES.memberships).where({ id: membershipId }).update({ unread_count: db.raw('unread_count') });

export const updateMembership = (db: Db, membershipId: number, values: Record<string, unknown>) =>
  db(TABLES.memberships).where({ id: membershipId }).update(values);

/** Current members of a thread other than `exceptUserId`, within `scope` (those a member is shown) when given. */
export const listActiveMemberIds = async (db: Db, threadId: number, exceptUserId: number, scope?: MemberScope) => {
  const q = db(TABLES.memberships).select('user_id').where('thread_id', threadId).whereNot('user_id', exceptUserId).whereNull('left_at');
  if (scope?.listedOnly) q.where((w) => w.whereNull('hidden').orWhere('hidden', false));
  if (scope?.userIds) q.whereIn('user_id', scope.userIds);
  return (await q).map((r: Record<string, unknown>) => toInt(r.user_id));
};
