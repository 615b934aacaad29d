import type { Knex } from 'knex';
import { selectRows, TABLES, toBool, toInt, toIso, yieldToEventLoop, type Db } from './db';
import { forUpdate, rawRows, whereLikeInsensitive } from './dialect';
import { mapThread, THREAD_COLUMNS, type ThreadRow } from './threads';
import { memberOf, memberSees, narrowToAudience, seenBy, type Audience } from './visibility';

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
  /** Reached only through a role: sees the thread as a conversation with its starter (repositories/visibility). */
  hidden: boolean;
};

const MEMBERSHIP_COLUMNS = [
  'id', 'thread_id', 'user_id', 'in_inbox', 'last_activity_at', 'last_read_message_id', 'unread_count',
  'message_count', 'visible_after_message_id', 'removed_at', 'left_at', 'hidden',
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
  hidden: toBool(r[`${prefix}hidden`]),
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
   * The last message the member may see: the thread's, or in a broadcast whose last message is
   * not for them, the one kept on their membership (last_visible_message_id). Null when it came
   * before their visibility watermark.
   */
  lastMessage: MessagePreview | null;
  /** The thread's last message is not theirs to see (a block) and none is kept: look for their newest visible one. */
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
 * the member may see the thread's last one (visibility.seenBy) a lookup of the unique
 * (blocker_id, blocked_id) index, per row returned.
 */
const memberViews = (db: Db) =>
  db(`${TABLES.memberships} as ms`)
    .join(`${TABLES.threads} as t`, 't.id', 'ms.thread_id')
    .leftJoin(`${TABLES.messages} as lm`, (j) => j.on('lm.id', 't.last_message_id').andOn('lm.id', '>', 'ms.visible_after_message_id'))
    .leftJoin(`${TABLES.messages} as lv`, (j) =>
      j.on('lv.id', 'ms.last_visible_message_id').andOn('lv.id', '>', 'ms.visible_after_message_id')
    )
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

/*
 * Thread ids by documentId as a subquery, so a lookup of the user's membership starts from the
 * thread and the unique (thread_id, user_id) index: joined on `t.document_id` instead, SQLite
 * (which has no statistics unless the site runs ANALYZE) scanned every membership of the user
 * first, 1.3 ms for a user in 5,000 threads instead of 6 µs.
 */
const threadIdsOf = (db: Db, threadDocumentIds: string[]) => db(TABLES.threads).select('id').whereIn('document_id', threadDocumentIds);

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

export const findActiveMembershipByThreadId = async (db: Db, userId: number, threadId: number) => {
  const row = await db(TABLES.memberships)
    .select(MEMBERSHIP_COLUMNS)
    .where({ thread_id: threadId, user_id: userId })
    .whereNull('left_at')
    .first();
  return row ? mapMembership(row) : null;
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
  /** Threads with unread messages only. */
  unreadOnly?: boolean;
};

/** `%text%` for LIKE, with LIKE's own wildcards taken literally (escaped with a backslash). */
const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * One inbox page: a range scan of `pm_memberships_inbox_idx` (user_id, in_inbox, last_activity_at,
 * thread_id) in index order, stopping after `limit` rows, with primary-key lookups of the thread
 * and its last message (see memberViews). No sort, whatever the size of the user's history.
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
export const listInboxPage = async (db: Db, userId: number, limit: number, after?: InboxCursor, filters: InboxFilters = {}) => {
  const q = memberViews(db)
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
  if (filters.subjectContains) {
    whereLikeInsensitive(db, q, 't.subject', containsPattern(filters.subjectContains));
  }
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

/** `{threads, messages}` unread for a user: served by `pm_memberships_unread_idx`. */
export const countUnread = async (db: Db, userId: number) => {
  const [row] = await selectRows(
    db,
    db(TABLES.memberships).where('user_id', userId).andWhere('unread_count', '>', 0).count({ threads: '*' }).sum({ messages: 'unread_count' })
  );
  return { threads: toInt(row?.threads), messages: toInt(row?.messages) };
};

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

/** The thread's last message, for the membership row being updated. */
const THREAD_LAST_MESSAGE = `(select t.last_message_id from ${TABLES.threads} t where t.id = ${M}.thread_id)`;

/**
 * Messages of the member's thread not yet delivered to them, up to `through`, that count for
 * them: after their visibility watermark, written by someone else, ones they may see
 * (visibility.seenBy: not hidden by a block, and for them in a broadcast).
 * Served by `pm_messages_thread_order_idx` (thread_id, id): usually one message.
 */
const undelivered = (through: string) => `from ${TABLES.messages} m
  where m.thread_id = ${M}.thread_id and m.id > ${M}.delivered_message_id and m.id > ${M}.visible_after_message_id
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
 * skipped; members who blocked the author only get their mark moved.
 */
const deliveryChanges = (db: Db, through: string, now: Date) => {
  const newest = `(select max(m.created_at) ${undelivered(through)})`;
  return {
    in_inbox: db.raw(`case when exists (select 1 ${undelivered(through)}) then ? else in_inbox end`, [true]),
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
    db(M).where('thread_id', input.threadId).andWhere('delivered_message_id', '<', input.messageId).whereNull('left_at'),
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
      db(M).select('id').where('thread_id', input.threadId).andWhere('delivered_message_id', '<', input.messageId).whereNull('left_at'),
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
        .update(deliveryChanges(db, THREAD_LAST_MESSAGE, now));

/**
 * Memberships from before `delivered_message_id` existed (the column is null there) count
 * everything up to their thread's last message as delivered. Run once per database, at boot.
 */
export const backfillDeliveredMarks = (db: Db) =>
  db(M).whereNull('delivered_message_id').update({ delivered_message_id: db.raw(THREAD_LAST_MESSAGE) });

/** The author has read everything up to their own message. */
export const recordAuthorActivity = (
  db: Db,
  input: { threadId: number; authorId: number; messageId: number; now: Date }
) =>
  db(TABLES.memberships)
    .where({ thread_id: input.threadId, user_id: input.authorId })
    .whereNull('left_at')
    .update({
      in_inbox: true,
      last_activity_at: input.now,
      last_read_message_id: input.messageId,
      unread_count: 0,
      message_count: db.raw('message_count + 1'),
      last_visible_message_id: db.raw(`case when last_visible_message_id is null then null else ${sqlInt(input.messageId)} end`),
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

/** Current members of a thread other than `exceptUserId`, within `scope` (those a member is shown) when given. */
export const listActiveMemberIds = async (db: Db, threadId: number, exceptUserId: number, scope?: MemberScope) => {
  const q = db(TABLES.memberships).select('user_id').where('thread_id', threadId).whereNot('user_id', exceptUserId).whereNull('left_at');
  if (scope?.listedOnly) q.where((w) => w.whereNull('hidden').orWhere('hidden', false));
  if (scope?.userIds) q.whereIn('user_id', scope.userIds);
  return (await q).map((r: Record<string, unknown>) => toInt(r.user_id));
};

/*
 * Set-based forms of the read-state changes, over any number of the user's memberships at once
 * (POST /threads/:id/read and friends pass one, POST /threads/actions up to a hundred). The rules
 * are read-state's; these are its statements. Callers lock the rows first (lockActiveMemberships).
 */

const threadColumnOf = (db: Db, column: string) =>
  db.raw(`(select t.${column} from ${TABLES.threads} t where t.id = ${TABLES.memberships}.thread_id)`);

/**
 * The user's current memberships of the given threads (by documentId), locked for the rest of
 * the transaction in id order (PostgreSQL; SQLite has one writer at a time anyway). Threads the
 * user never belonged to, or left, are simply missing from the result.
 */
export const lockActiveMemberships = async (db: Db, userId: number, threadDocumentIds: string[]) => {
  if (threadDocumentIds.length === 0) return [];
  const q = db(`${TABLES.memberships} as ms`)
    .join(`${TABLES.threads} as t`, 't.id', 'ms.thread_id')
    .select('ms.id', 'ms.thread_id', 't.document_id')
    .whereIn('ms.thread_id', threadIdsOf(db, threadDocumentIds))
    .andWhere('ms.user_id', userId)
    .whereNull('ms.left_at')
    .orderBy('ms.id', 'asc');
  return (await forUpdate(db, q, 'ms')).map((r: Record<string, unknown>) => ({
    id: toInt(r.id),
    threadId: toInt(r.thread_id),
    threadDocumentId: String(r.document_id),
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
 * The newest message from someone else that the user may see (not hidden by a block) becomes
 * the only unread one; memberships of threads with no such message are left alone. Returns how
 * many changed. Each lookup walks `pm_messages_thread_order_idx` (thread_id, id) backwards.
 */
export const markNewestUnreadMany = (db: Db, userId: number, membershipIds: number[]) => {
  if (membershipIds.length === 0) return Promise.resolve(0);
  const fromOthers = () =>
    db(`${TABLES.messages} as m`)
      .whereRaw(`m.thread_id = ${TABLES.memberships}.thread_id`)
      .whereRaw(`m.id > ${TABLES.memberships}.visible_after_message_id`)
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

/** Out of the inbox until the next message, which will show only what came after now. */
export const removeFromInboxMany = (db: Db, membershipIds: number[], now: Date) =>
  membershipIds.length === 0
    ? Promise.resolve(0)
    : db(TABLES.memberships)
        .whereIn('id', membershipIds)
        .update({
          in_inbox: false,
          removed_at: now,
          unread_count: 0,
          message_count: 0,
          visible_after_message_id: threadColumnOf(db, 'last_message_id'),
          last_read_message_id: threadColumnOf(db, 'last_message_id'),
          // Nothing before the new visibility watermark counts: nothing is left to deliver.
          delivered_message_id: threadColumnOf(db, 'last_message_id'),
          updated_at: now,
        });

/**
 * What a member's counts must be, recomputed from the messages: the definition the incremental
 * updates (deliveryChanges, the read-state changes) keep. A message counts for a member when it
 * is after their visibility watermark and not hidden by a block; it is unread when it is also
 * after their read watermark and written by someone else. Used after a purge, and by tests.
 */
export const recountMemberships = async (db: Db, threadIds: number[]) => {
  if (threadIds.length === 0) return;
  const ms = TABLES.memberships;
  const visible = `from ${TABLES.messages} m
     where m.thread_id = ${ms}.thread_id and m.id > ${ms}.visible_after_message_id and ${seenBy('m', memberOf(ms))}`;
  await db(ms)
    .whereIn('thread_id', threadIds)
    .whereNull('left_at')
    .update({
      delivered_message_id: threadColumnOf(db, 'last_message_id'),
      message_count: db.raw(`(select count(*) ${visible})`),
      unread_count: db.raw(
        `(select count(*) ${visible} and m.id > ${ms}.last_read_message_id and (m.author_id is null or m.author_id <> ${ms}.user_id))`
      ),
      last_visible_message_id: db.raw(
        `case when last_visible_message_id is null then null else coalesce((select max(m.id) ${visible}), last_visible_message_id) end`
      ),
    });
};
