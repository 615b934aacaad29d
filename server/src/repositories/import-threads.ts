import { createDocumentIds, createOrderedDocumentIds } from '../utils/ids';
import { TABLES, strapiColumns, toInt, type Db } from './db';
import { PARTICIPANT_PREVIEW_SIZE, recountedThreadCounts } from './threads';
import { asJson, insertMany, refreshStatistics } from './dialect';
import { IMPORT_MAP } from './import-map';
import type { Audience } from './visibility';
import { recountedCounts } from './membership-read-state';
import { THREAD_LAST_MESSAGE } from './membership-delivery';
import { SENT_NOW } from './membership-folders';

/*
 * Bulk writes of the Drupal importer (server/src/import): threads, messages and memberships
 * by the hundred, then their counters rebuilt set-based. Nothing here sends email, writes the
 * outbox or emits events: the rows are written as they would be after every delivery had run.
 */

/** Inserts rows and answers the id of each, in order (db.insertMany). */
const insertReturningIds = (db: Db, table: string, rows: Record<string, unknown>[]) => insertMany(db, table, rows, { returnIds: true });

export type NewThread = { subject: string; starterId: number | null; roles: { id: number; name: string }[]; createdAt: Date };

/** Creates threads (counters are filled by rebuildThreadCounters); answers their ids in order. */
export const insertThreads = (db: Db, threads: NewThread[], now: Date) => {
  const documentIds = createDocumentIds(threads.length);
  return insertReturningIds(
    db,
    TABLES.threads,
    threads.map((t, n) => ({
      ...strapiColumns(documentIds[n], now),
      created_at: t.createdAt,
      subject: t.subject,
      is_group: false,
      member_count: 0,
      message_count: 0,
      last_message_id: 0,
      last_message_at: t.createdAt,
      starter_id: t.starterId,
      roles: t.roles.length > 0 ? JSON.stringify(t.roles) : null,
      listed_member_count: 0,
      participant_preview: JSON.stringify([]),
    }))
  );
};

export type NewMessage = {
  threadId: number;
  authorId: number | null;
  createdAt: Date;
  body: string;
  format: string;
  excerpt: string;
  audience: Audience;
  audienceUserId: number | null;
};

/** Inserts messages in the order given (callers sort them by source id: ids keep the thread's order). */
export const insertMessages = (db: Db, messages: NewMessage[], now: Date) => {
  const documentIds = createDocumentIds(messages.length);
  return insertReturningIds(
    db,
    TABLES.messages,
    messages.map((m, n) => ({
      ...strapiColumns(documentIds[n], now),
      created_at: m.createdAt,
      updated_at: m.createdAt,
      thread_id: m.threadId,
      author_id: m.authorId,
      body: m.body,
      format: m.format,
      excerpt: m.excerpt,
      audience: m.audience,
      audience_user_id: m.audienceUserId,
    }))
  );
};

/**
 * Messages an earlier run imported with no author (their Drupal account had no Strapi user then)
 * get the user matched since; so do the threads they started. Only where no author is set.
 */
export const assignAuthors = async (db: Db, messages: { messageId: number; authorId: number; threadId: number; starter: boolean }[]) => {
  const byAuthor = new Map<number, number[]>();
  for (const m of messages) byAuthor.set(m.authorId, [...(byAuthor.get(m.authorId) ?? []), m.messageId]);
  for (const [authorId, ids] of byAuthor) {
    for (let i = 0; i < ids.length; i += 500) {
      await db(TABLES.messages).update({ author_id: authorId }).whereIn('id', ids.slice(i, i + 500)).whereNull('author_id');
    }
  }
  for (const m of messages.filter((x) => x.starter)) {
    await db(TABLES.threads).update({ starter_id: m.authorId }).where({ id: m.threadId }).whereNull('starter_id');
  }
};

/** Of these threads and messages: the memberships there are (`threadId:userId`), and the messages with no author. */
export const joinState = async (db: Db, threadIds: number[], messageIds: number[]) => {
  const memberships = new Set<string>();
  const authorless = new Set<number>();
  for (let i = 0; i < threadIds.length; i += 500) {
    const rows = await db(TABLES.memberships).select('thread_id', 'user_id').whereIn('thread_id', threadIds.slice(i, i + 500));
    for (const r of rows) memberships.add(`${toInt(r.thread_id)}:${toInt(r.user_id)}`);
  }
  for (let i = 0; i < messageIds.length; i += 500) {
    const rows = await db(TABLES.messages).select('id').whereIn('id', messageIds.slice(i, i + 500)).whereNull('author_id');
    for (const r of rows) authorless.add(toInt(r.id));
  }
  return { memberships, authorless };
};

/** A member's state as the import writes it (leaving is only ever done here, not imported). */
export type ImportedMembership = { threadId: number; userId: number } & Omit<MembershipState, 'leftAt'>;

const MEMBERSHIP_STATE = ['hidden', 'in_inbox', 'archived', 'visible_after_message_id', 'last_read_message_id', 'unread_count', 'removed_at', 'updated_at'];

/**
 * Writes each member's read state: new memberships are inserted, those of threads imported before
 * (a later run bringing new messages) take the state merged by import/rerun.ts. Counts other than
 * unread are rebuilt afterwards (rebuildMembershipCounters).
 */
export const upsertMemberships = async (db: Db, memberships: ImportedMembership[], now: Date) => {
  const documentIds = createOrderedDocumentIds(memberships.length);
  await insertMany(
    db,
    TABLES.memberships,
    memberships.map((m, n) => ({
      ...strapiColumns(documentIds[n], now),
      thread_id: m.threadId,
      user_id: m.userId,
      hidden: m.hidden,
      // In a folder: the inbox, or the archive (membership-folders); a removed thread in neither.
      in_inbox: m.inInbox || m.archived,
      archived: m.archived,
      last_activity_at: now,
      visible_after_message_id: m.visibleAfterMessageId,
      last_read_message_id: m.lastReadMessageId,
      unread_count: m.unreadCount,
      message_count: 0,
      delivered_message_id: 0,
      removed_at: m.removedAt,
    })),
    { conflict: { columns: ['thread_id', 'user_id'], merge: MEMBERSHIP_STATE } }
  );
};

const inList = (ids: number[]) => {
  for (const id of ids) if (!Number.isSafeInteger(id)) throw new Error(`Not an integer id: ${id}`);
  return ids.join(', ');
};

/**
 * Each thread's counters from its rows: messages, last message, members, listed members (not
 * reached through a role only), group or not; and its participant preview, given per thread (the
 * first PARTICIPANT_PREVIEW_SIZE listed members by user id), in one CASE statement.
 */
export const rebuildThreadCounters = async (db: Db, threads: { id: number; listedUserIds: number[] }[]) => {
  if (threads.length === 0) return;
  const t = TABLES.threads;
  const m = TABLES.messages;
  const ms = TABLES.memberships;
  const ids = inList(threads.map((x) => x.id));
  const members = `(select count(*) from ${ms} where ${ms}.thread_id = ${t}.id)`;
  const { messageCount, lastMessageId } = recountedThreadCounts();
  const previews = threads.map((x) =>
    JSON.stringify([...new Set(x.listedUserIds)].sort((a, b) => a - b).slice(0, PARTICIPANT_PREVIEW_SIZE).map((userId) => ({ userId })))
  );
  await db.raw(
    `update ${t} set
       message_count = ${messageCount},
       last_message_id = ${lastMessageId},
       last_message_at = coalesce((select max(created_at) from ${m} where ${m}.thread_id = ${t}.id), ${t}.last_message_at),
       member_count = ${members},
       listed_member_count = (select count(*) from ${ms} where ${ms}.thread_id = ${t}.id and coalesce(${ms}.hidden, false) = false),
       is_group = (${members} > 2),
       participant_preview = case id ${threads.map(() => `when ? then ${asJson(db, '?')}`).join(' ')} end
     where id in (${ids})`,
    threads.flatMap((x, i) => [x.id, previews[i]])
  );
};

/**
 * Each membership's counts from the messages it sees (visibility.seenBy, after its visibility
 * watermark): message count, activity time, the newest visible message (broadcasts only),
 * everything delivered, and whether the thread is in the member's Sent list (a message of their
 * own they still see, not deleted: membership-folders). Unread counts are privatemsg's, written
 * by upsertMemberships.
 */
export const rebuildMembershipCounters = async (db: Db, threadIds: number[]) => {
  if (threadIds.length === 0) return;
  const ms = TABLES.memberships;
  const t = TABLES.threads;
  // The live code's definitions: the messages a member sees and how many (recountedCounts),
  // everything delivered (membership-delivery), the Sent list (membership-folders).
  const { visible, messageCount } = recountedCounts(ms);
  const thread = (column: string) => `(select ${column} from ${t} where ${t}.id = ${ms}.thread_id)`;
  await db.raw(
    `update ${ms} set
       message_count = ${messageCount},
       last_activity_at = coalesce((select max(m.created_at) ${visible}), ${thread('last_message_at')}),
       last_visible_message_id = case when ${thread('listed_member_count')} < ${thread('member_count')}
                                      then (select max(m.id) ${visible}) else null end,
       delivered_message_id = ${THREAD_LAST_MESSAGE},
       has_sent = ${SENT_NOW}
     where thread_id in (${inList(threadIds)})`
  );
};

export type MembershipState = {
  hidden: boolean;
  /** In the inbox (privatemsg's Inbox tag). */
  inInbox: boolean;
  /** Archived: in no inbox, not removed (the Inbox tag taken off). */
  archived: boolean;
  visibleAfterMessageId: number;
  lastReadMessageId: number;
  unreadCount: number;
  removedAt: Date | null;
  leftAt: Date | null;
};

/** The tables an import fills, their planner statistics brought up to date (dialect.refreshStatistics). */
export const refreshImportStatistics = (db: Db) =>
  refreshStatistics(db, [TABLES.threads, TABLES.messages, TABLES.memberships, IMPORT_MAP]);

/** The state of the memberships of these threads (imported before), by `threadId:userId`. */
export const membershipStatesOf = async (db: Db, threadIds: number[]) => {
  const found = new Map<string, MembershipState>();
  if (threadIds.length === 0) return found;
  const rows = await db(TABLES.memberships)
    .select('thread_id', 'user_id', 'hidden', 'in_inbox', 'archived', 'visible_after_message_id', 'last_read_message_id', 'unread_count', 'removed_at', 'left_at')
    .whereIn('thread_id', threadIds);
  for (const r of rows) {
    found.set(`${toInt(r.thread_id)}:${toInt(r.user_id)}`, {
      hidden: Boolean(r.hidden),
      inInbox: Boolean(r.in_inbox) && !r.archived,
      archived: Boolean(r.in_inbox) && Boolean(r.archived),
      visibleAfterMessageId: toInt(r.visible_after_message_id),
      lastReadMessageId: toInt(r.last_read_message_id),
      unreadCount: toInt(r.unread_count),
      removedAt: r.removed_at == null ? null : new Date(r.removed_at),
      leftAt: r.left_at == null ? null : new Date(r.left_at),
    });
  }
  return found;
};

/** The memberships of these threads, by `threadId:userId` (for tag links). */
export const membershipIdsOf = async (db: Db, threadIds: number[]) => {
  const found = new Map<string, number>();
  if (threadIds.length === 0) return found;
  const rows = await db(TABLES.memberships).select('id', 'thread_id', 'user_id').whereIn('thread_id', threadIds);
  for (const r of rows) found.set(`${toInt(r.thread_id)}:${toInt(r.user_id)}`, toInt(r.id));
  return found;
};
