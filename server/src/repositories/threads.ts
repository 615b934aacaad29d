import { createDocumentId, createOrderedDocumentIds } from '../utils/ids';
import { insertMessage } from './messages';
import { withholdUnseenFirstMessage } from './membership-delivery';
import { TABLES, insertInChunks, strapiColumns, toBool, toInt, toIso, type Db } from './db';
import { forUpdate, insertReturning } from './dialect';
import { parseStoredFields } from '../config/fields';

/**
 * The members a thread list shows: the first PARTICIPANT_PREVIEW_SIZE by user id, those who left
 * included (flagged). Kept on the thread row, written when the thread starts and when a member of
 * it leaves (the only changes to a thread's member set), so an inbox page reads no memberships of
 * the threads it lists. Users deleted since are dropped when the page is presented.
 */
export type ParticipantPreview = { userId: number; left?: true }[];
export const PARTICIPANT_PREVIEW_SIZE = 10;

export type ThreadRow = {
  id: number;
  documentId: string;
  subject: string;
  isGroup: boolean;
  /** Members ever (those who left included): fixed when the thread starts. */
  memberCount: number;
  messageCount: number;
  lastMessageId: number;
  lastMessageAt: string | null;
  createdAt: string;
  /** Null on threads written before the preview existed: their lists read the memberships. */
  participantPreview: ParticipantPreview | null;
  /** Who started the thread (null once their account is deleted). */
  starterId: number | null;
  /** The roles the thread was sent to, as named then ([] when none). */
  roles: ThreadRole[];
  /** Members not reached through a role only (the starter and the listed users), departed included. */
  listedMemberCount: number;
  /** Some members were reached only through a role: a broadcast (see repositories/visibility). */
  hasHiddenMembers: boolean;
  /** Custom field values as stored (JSON text), shown as the declarations allow (services/fields). */
  fields: Record<string, unknown> | null;
  /** The document the thread is about (repositories/contexts), or null. */
  context: { uid: string; documentId: string } | null;
};

export type ThreadRole = { id: number; name: string };

/** The thread columns mapThread reads (a list selects these, not the row's other Strapi columns). */
export const THREAD_COLUMNS = [
  'id', 'document_id', 'subject', 'is_group', 'member_count', 'message_count', 'last_message_id', 'last_message_at',
  'created_at', 'participant_preview', 'starter_id', 'roles', 'listed_member_count', 'fields',
  'context_uid', 'context_document_id',
];

/* SQLite hands JSON columns back as text; PostgreSQL (jsonb) parsed. */
const parsePreview = (v: unknown): ParticipantPreview | null => {
  if (v === null || v === undefined) return null;
  const value = typeof v === 'string' ? JSON.parse(v) : v;
  return Array.isArray(value) ? (value as ParticipantPreview) : null;
};

const parseRoles = (v: unknown): ThreadRole[] => {
  if (v === null || v === undefined) return [];
  const value = typeof v === 'string' ? JSON.parse(v) : v;
  return Array.isArray(value) ? (value as ThreadRole[]) : [];
};

/* Stored as JSON text on every database (knex would send a JS array to PostgreSQL as an array literal). */
const previewColumn = (preview: ParticipantPreview) => JSON.stringify(preview);

export const mapThread = (r: Record<string, unknown>): ThreadRow => {
  const memberCount = toInt(r.member_count);
  // Threads written before broadcasts existed (null): every member is listed.
  const listedMemberCount = r.listed_member_count == null ? memberCount : toInt(r.listed_member_count);
  return {
    id: toInt(r.id),
    documentId: String(r.document_id),
    subject: (r.subject as string) ?? '',
    isGroup: toBool(r.is_group),
    memberCount,
    messageCount: toInt(r.message_count),
    lastMessageId: toInt(r.last_message_id),
    lastMessageAt: toIso(r.last_message_at),
    createdAt: toIso(r.created_at) as string,
    participantPreview: parsePreview(r.participant_preview),
    starterId: r.starter_id == null ? null : toInt(r.starter_id),
    roles: parseRoles(r.roles),
    listedMemberCount,
    hasHiddenMembers: listedMemberCount < memberCount,
    fields: parseStoredFields(r.fields),
    context: r.context_uid == null ? null : { uid: String(r.context_uid), documentId: String(r.context_document_id) },
  };
};

/**
 * Creates a thread, its first message and one membership per member, in their final state (the
 * author has read the message, everyone else has it unread): a constant number of statements plus
 * one multi-row insert per 400 members, inside the caller's transaction. Between those inserts the
 * event loop gets a turn, so writing to a 10,000-user role never blocks it for long (SQLite's
 * driver is synchronous).
 */
export const createThreadWithMessage = async (
  db: Db,
  input: {
    subject: string;
    authorId: number;
    memberIds: number[];
    /** Members reached only through a role (see repositories/visibility). */
    hiddenIds?: Set<number>;
    roles?: ThreadRole[];
    isGroup: boolean;
    message: { body: string; format: string; excerpt: string; fields?: string | null };
    /** The thread's custom fields, as JSON text (config/fields.ts storedFields), or null. */
    fields?: string | null;
    /** Members who get it as a message request (repositories/message-requests), and whether any was not a contact. */
    requestIds?: Set<number>;
    toStrangers?: boolean;
    now: Date;
  }
) => {
  const threadDocumentId = createDocumentId();
  const hidden = input.hiddenIds ?? new Set<number>();
  const listedIds = input.memberIds.filter((id) => !hidden.has(id));
  const isBroadcast = hidden.size > 0;
  const threadRow = await insertReturning(db, TABLES.threads, {
      ...strapiColumns(threadDocumentId, input.now),
      subject: input.subject,
      is_group: input.isGroup,
      member_count: input.memberIds.length,
      message_count: 1,
      last_message_id: 0,
      last_message_at: input.now,
      starter_id: input.authorId,
      roles: input.roles && input.roles.length > 0 ? JSON.stringify(input.roles) : null,
      listed_member_count: listedIds.length,
      fields: input.fields ?? null,
      to_strangers: input.toStrangers ?? false,
      // Only members everyone may see: hidden members are shown to the starter in the thread's own view.
      participant_preview: previewColumn(
        [...new Set(listedIds)].sort((a, b) => a - b).slice(0, PARTICIPANT_PREVIEW_SIZE).map((userId) => ({ userId }))
      ),
  }, THREAD_COLUMNS);
  const threadId = toInt(threadRow.id);
  const message = await insertMessage(db, { threadId, subject: input.subject, authorId: input.authorId, ...input.message, now: input.now });
  await db(TABLES.threads).where({ id: threadId }).update({ last_message_id: message.id });
  // The row as written, as a read would map it (its last message is known only now).
  const thread: ThreadRow = { ...mapThread(threadRow), lastMessageId: message.id };

  await insertInChunks(db, TABLES.memberships, input.memberIds, {
    yieldBetween: true,
    toRows: (userIds) => {
      const documentIds = createOrderedDocumentIds(userIds.length);
      return userIds.map((userId, i) => {
        const isAuthor = userId === input.authorId;
        return {
          ...strapiColumns(documentIds[i], input.now),
          thread_id: threadId,
          user_id: userId,
          in_inbox: !input.requestIds?.has(userId),
          request_state: input.requestIds?.has(userId) ? 'pending' : null,
          archived: false,
          has_sent: isAuthor,
          last_activity_at: input.now,
          last_read_message_id: isAuthor ? message.id : 0,
          unread_count: isAuthor ? 0 : 1,
          message_count: 1,
          visible_after_message_id: 0,
          delivered_message_id: message.id,
          hidden: hidden.has(userId),
          // Kept in broadcasts only, where the thread's last message may not be one the member can see.
          last_visible_message_id: isBroadcast ? message.id : null,
        };
      });
    },
  });
  await withholdUnseenFirstMessage(db, { threadId, messageId: message.id, authorId: input.authorId });
  return { thread, message };
};

/**
 * Takes the thread row's write lock (PostgreSQL, MySQL/MariaDB; SQLite serializes writers anyway). A reply takes it
 * before its message gets an id, so concurrent replies are recorded in id order; purges take the
 * same locks before recounting. Lock order everywhere: thread, then memberships.
 */
export const lockThread = async (db: Db, threadId: number) => {
  await forUpdate(db, db(TABLES.threads).select('id').where({ id: threadId }));
};

/**
 * Locks several threads' rows in id order: two transactions locking overlapping sets (bulk
 * actions, purges) then queue on the lowest id they share instead of each holding what the
 * other waits for.
 */
export const lockThreads = async (db: Db, threadIds: number[]) => {
  if (threadIds.length === 0) return;
  await forUpdate(db, db(TABLES.threads).select('id').whereIn('id', threadIds).orderBy('id'));
};

/** Records a new last message on the thread. Runs before the memberships update (lock order). */
export const recordMessageOnThread = (db: Db, threadId: number, messageId: number, now: Date) =>
  db(TABLES.threads)
    .where({ id: threadId })
    .update({
      message_count: db.raw('message_count + 1'),
      last_message_id: messageId,
      last_message_at: now,
      updated_at: now,
    });

/**
 * Writes the thread's participant preview from its first members by user id (after a member left:
 * memberships.listMembers). The caller holds the thread's lock (lockThread), so concurrent
 * departures cannot overwrite each other.
 */
export const writeParticipantPreview = (db: Db, threadId: number, members: { userId: number; left: boolean }[]) =>
  db(TABLES.threads)
    .where({ id: threadId })
    .update({
      participant_preview: previewColumn(
        members.slice(0, PARTICIPANT_PREVIEW_SIZE).map((m) => (m.left ? { userId: m.userId, left: true as const } : { userId: m.userId }))
      ),
    });

export const findThreadById = async (db: Db, threadId: number) => {
  const row = await db(TABLES.threads).where({ id: threadId }).first();
  return row ? mapThread(row) : null;
};

/**
 * A thread's message count and last message recomputed from its messages, as SQL on the threads
 * row: recountThreads writes them, and so does the importer (import-threads.rebuildThreadCounters).
 */
export const recountedThreadCounts = () => {
  const m = TABLES.messages;
  const t = TABLES.threads;
  return {
    messageCount: `(select count(*) from ${m} where ${m}.thread_id = ${t}.id)`,
    lastMessageId: `coalesce((select max(id) from ${m} where ${m}.thread_id = ${t}.id), 0)`,
  };
};

/** Recomputes the threads' message count and last message from their messages (after a purge). */
export const recountThreads = async (db: Db, threadIds: number[]) => {
  if (threadIds.length === 0) return;
  const m = TABLES.messages;
  const t = TABLES.threads;
  const { messageCount, lastMessageId } = recountedThreadCounts();
  await db(t)
    .whereIn('id', threadIds)
    .update({
      message_count: db.raw(messageCount),
      last_message_id: db.raw(lastMessageId),
      last_message_at: db.raw(
        `coalesce((select created_at from ${m} where ${m}.id = (select max(id) from ${m} where ${m}.thread_id = ${t}.id)), ${t}.last_message_at)`
      ),
    });
};

/*
 * Thread ids by documentId as a subquery, so a lookup of the user's membership starts from the
 * thread and the unique (thread_id, user_id) index: joined on `t.document_id` instead, SQLite
 * (which has no statistics unless the site runs ANALYZE) scanned every membership of the user
 * first, 1.3 ms for a user in 5,000 threads instead of 6 µs.
 */
export const threadIdsOf = (db: Db, threadDocumentIds: string[]) => db(TABLES.threads).select('id').whereIn('document_id', threadDocumentIds);

/** Each thread's documentId, subject and stored custom fields, by id (emails and moderation show them). */
export const findThreadSubjects = async (db: Db, threadIds: number[]) => {
  type Subject = { documentId: string; subject: string; fields: Record<string, unknown> | null };
  if (threadIds.length === 0) return new Map<number, Subject>();
  const rows = await db(TABLES.threads).select('id', 'document_id', 'subject', 'fields').whereIn('id', [...new Set(threadIds)]);
  return new Map<number, Subject>(
    rows.map((t: Record<string, unknown>) => [
      toInt(t.id),
      { documentId: String(t.document_id), subject: (t.subject as string) ?? '', fields: parseStoredFields(t.fields) },
    ])
  );
};
