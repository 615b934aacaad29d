import { createDocumentId } from '../utils/ids';
import { TABLES, strapiColumns, toInt, toIso, type Db } from './db';
import { knownMember, memberOf, seenBy, type Audience } from './visibility';
import { insertReturning, rawRows } from './dialect';
import { parseStoredFields } from '../config/fields';
import { indexMessages } from './message-search';

export type MessageRow = {
  id: number;
  documentId: string;
  threadId: number;
  authorId: number | null;
  body: string;
  format: string;
  excerpt: string;
  deletedAt: string | null;
  createdAt: string;
  /** Who may see it besides the author (repositories/visibility): null, everyone. */
  audience: Audience;
  audienceUserId: number | null;
  /** Custom field values as stored, shown as the declarations allow (services/fields). */
  fields: Record<string, unknown> | null;
};

const COLUMNS = ['id', 'document_id', 'thread_id', 'author_id', 'body', 'format', 'excerpt', 'deleted_at', 'created_at', 'audience', 'audience_user_id', 'fields'];

const mapMessage = (r: Record<string, unknown>): MessageRow => ({
  id: toInt(r.id),
  documentId: String(r.document_id),
  threadId: toInt(r.thread_id),
  authorId: r.author_id === null ? null : toInt(r.author_id),
  body: (r.body as string) ?? '',
  format: String(r.format),
  excerpt: (r.excerpt as string) ?? '',
  deletedAt: toIso(r.deleted_at),
  createdAt: toIso(r.created_at) as string,
  audience: (r.audience as Audience) ?? null,
  audienceUserId: r.audience_user_id == null ? null : toInt(r.audience_user_id),
  fields: parseStoredFields(r.fields),
});

/** A message row as read from the database (a search result's columns). */
export const mapMessageRow = (r: Record<string, unknown>) => mapMessage(r);

export const insertMessage = async (
  db: Db,
  input: {
    threadId: number;
    /** The thread's subject: indexed with the body, in this transaction (message-search.ts). */
    subject: string;
    authorId: number;
    body: string;
    format: string;
    excerpt: string;
    now: Date;
    audience?: Audience;
    audienceUserId?: number | null;
    /** JSON text (config/fields.ts storedFields), or null. */
    fields?: string | null;
  }
) => {
  const documentId = createDocumentId();
  const row = await insertReturning(
    db,
    TABLES.messages,
    {
      ...strapiColumns(documentId, input.now),
      thread_id: input.threadId,
      author_id: input.authorId,
      body: input.body,
      format: input.format,
      excerpt: input.excerpt,
      audience: input.audience ?? null,
      audience_user_id: input.audienceUserId ?? null,
      fields: input.fields ?? null,
    },
    COLUMNS
  );
  const message = mapMessage(row);
  await indexMessages(db, [{ id: message.id, subject: input.subject, body: input.body }]);
  return message;
};

/**
 * The viewer of a thread: their user id, whether they were reached only through a role, and their
 * removal watermark (what visibility.seenBy needs of their membership).
 */
export type Viewer = { userId: number; hidden: boolean; visibleAfterMessageId: number; requestState?: string | null };

/**
 * One page of a thread's messages as a member sees them (visibility.seenBy), newest first, and,
 * when paging back, before `beforeId`. Served by the `(thread_id, id)` index.
 */
export const listThreadMessages = async (db: Db, input: { viewer: Viewer; threadId: number; beforeId?: number; limit: number }) => {
  const q = db(`${TABLES.messages} as m`)
    .select(COLUMNS.map((c) => `m.${c}`))
    .where('m.thread_id', input.threadId)
    .whereRaw(seenBy('m', knownMember(input.viewer)))
    .orderBy('m.id', 'desc')
    .limit(input.limit);
  if (input.beforeId !== undefined) q.andWhere('m.id', '<', input.beforeId);
  return (await q).map(mapMessage);
};

/**
 * The newest message of each thread that the viewer sees (visibility.seenBy), in one query: for
 * the rare threads whose last message is not theirs to see (broadcasts keep theirs per member).
 */
export const newestVisibleMessages = async (
  db: Db,
  viewerId: number,
  threads: { threadId: number; visibleAfterId: number; hidden: boolean; requestState?: string | null }[]
) => {
  if (threads.length === 0) return [];
  const newest = db(`${TABLES.messages} as m`)
    .max('m.id')
    .where((w) => {
      for (const t of threads) {
        const viewer = knownMember({ userId: viewerId, hidden: t.hidden, visibleAfterMessageId: t.visibleAfterId, requestState: t.requestState });
        w.orWhere((o) => o.where('m.thread_id', t.threadId).whereRaw(seenBy('m', viewer)));
      }
    })
    .groupBy('m.thread_id');
  return (await db(TABLES.messages).select(COLUMNS).whereIn('id', newest)).map(mapMessage);
};

export const findMessagesByIds = async (db: Db, ids: number[]) =>
  ids.length === 0 ? [] : (await db(TABLES.messages).select(COLUMNS).whereIn('id', ids)).map(mapMessage);

export const findMessageByDocumentId = async (db: Db, documentId: string) => {
  const row = await db(TABLES.messages).select(COLUMNS).where({ document_id: documentId }).first();
  return row ? mapMessage(row) : null;
};

export const softDeleteMessage = (db: Db, messageId: number, now: Date) =>
  db(TABLES.messages).where({ id: messageId }).whereNull('deleted_at').update({ deleted_at: now, updated_at: now });

/** `{count, oldest}` of the messages `authorId` wrote since `since` (served by pm_messages_author_time_idx). */
export const countRecentByAuthor = async (db: Db, authorId: number, since: Date) => {
  const row = await db(TABLES.messages)
    .where('author_id', authorId)
    .andWhere('created_at', '>', since)
    .count({ count: '*' })
    .min({ oldest: 'created_at' })
    .first();
  return { count: toInt(row?.count), oldest: toIso(row?.oldest) };
};

/**
 * A message (by documentId) that `viewerId` sees, with their read watermark in its thread, or null:
 * no such message, not a current member of its thread, or not theirs to see (visibility.seenBy).
 * The one answer to "may this member see this message" for single-message routes (view, delete,
 * report): one statement, a lookup of the unique (thread_id, user_id) index.
 */
export const findVisibleMessage = async (db: Db, viewerId: number, messageDocumentId: string) => {
  const row = await db(`${TABLES.messages} as m`)
    .join(`${TABLES.memberships} as ms`, (j) => j.on('ms.thread_id', 'm.thread_id').andOnVal('ms.user_id', viewerId))
    .select(...COLUMNS.map((c) => `m.${c}`), 'ms.last_read_message_id as viewer_last_read_message_id')
    .where('m.document_id', messageDocumentId)
    .whereNull('ms.left_at')
    .whereRaw(seenBy('m', memberOf('ms')))
    .first();
  return row ? { message: mapMessage(row), lastReadMessageId: toInt(row.viewer_last_read_message_id) } : null;
};

/**
 * The ids of up to `size` messages on each side of each given message, in thread order, the message
 * itself included: one statement for the whole moderation page (two index range scans per message
 * on (thread_id, id)), instead of a pair of queries per report.
 */
export const messageNeighbourhoods = async (db: Db, messages: { id: number; threadId: number }[], size: number) => {
  const result = new Map<number, number[]>(messages.map((m) => [m.id, [m.id]]));
  if (messages.length === 0) return result;
  const parts: string[] = [];
  const bindings: number[] = [];
  messages.forEach((m, i) => {
    // The anchor is inlined (an id read from the database, checked): PostgreSQL cannot type a bare parameter there.
    if (!Number.isSafeInteger(m.id)) throw new Error(`Not an integer id: ${m.id}`);
    for (const [side, op, order] of [['b', '<', 'desc'], ['a', '>', 'asc']] as const) {
      parts.push(
        `select * from (select id, ${m.id} as anchor from ${TABLES.messages} where thread_id = ? and id ${op} ? order by id ${order} limit ?) ${side}${i}`
      );
      bindings.push(m.threadId, m.id, size);
    }
  });
  for (const row of await rawRows(db, parts.join(' union all '), bindings)) result.get(toInt(row.anchor))!.push(toInt(row.id));
  for (const ids of result.values()) ids.sort((x, y) => x - y);
  return result;
};

/** Whether the message is the first of its thread (the one that started it). */
export const isFirstOfThread = async (db: Db, threadId: number, messageId: number) => {
  const row = await db(TABLES.messages).min({ first: 'id' }).where('thread_id', threadId).first();
  return toInt(row?.first) === messageId;
};
