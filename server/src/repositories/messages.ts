import { createDocumentId } from '../utils/ids';
import { TABLES, strapiColumns, toInt, toIso, type Db } from './db';
import { hiddenByBlock } from './blocks';
import { insertReturning } from './dialect';

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
};

const COLUMNS = ['id', 'document_id', 'thread_id', 'author_id', 'body', 'format', 'excerpt', 'deleted_at', 'created_at'];

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
});

export const insertMessage = async (
  db: Db,
  input: { threadId: number; authorId: number; body: string; format: string; excerpt: string; now: Date }
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
    },
    COLUMNS
  );
  return mapMessage(row);
};

/**
 * One page of a thread's messages as a member sees them, newest first: messages after the
 * member's visibility watermark, not hidden by a block, and, when paging back, before
 * `beforeId`. Served by the `(thread_id, id)` index.
 */
export const listThreadMessages = async (
  db: Db,
  input: { viewerId: number; threadId: number; visibleAfterId: number; beforeId?: number; limit: number }
) => {
  const q = db(`${TABLES.messages} as m`)
    .select(COLUMNS.map((c) => `m.${c}`))
    .where('m.thread_id', input.threadId)
    .andWhere('m.id', '>', input.visibleAfterId)
    .whereNotExists(hiddenByBlock(db, input.viewerId, 'm'))
    .orderBy('m.id', 'desc')
    .limit(input.limit);
  if (input.beforeId !== undefined) q.andWhere('m.id', '<', input.beforeId);
  return (await q).map(mapMessage);
};

/**
 * The newest message of each thread that `viewerId` may see, in one query: for the rare threads
 * whose last message is hidden from them by a block.
 */
export const newestVisibleMessages = async (db: Db, viewerId: number, threads: { threadId: number; visibleAfterId: number }[]) => {
  if (threads.length === 0) return [];
  const newest = db(`${TABLES.messages} as m`)
    .max('m.id')
    .whereIn('m.thread_id', threads.map((t) => t.threadId))
    .whereNotExists(hiddenByBlock(db, viewerId, 'm'))
    .groupBy('m.thread_id');
  const rows = (await db(TABLES.messages).select(COLUMNS).whereIn('id', newest)).map(mapMessage);
  const after = new Map(threads.map((t) => [t.threadId, t.visibleAfterId]));
  return rows.filter((m) => m.id > (after.get(m.threadId) ?? 0));
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

/** Whether `viewerId` blocked the author of message `messageId` before it was written (then it is not theirs to see). */
export const isHiddenByBlock = async (db: Db, viewerId: number, messageId: number) =>
  Boolean(await db(`${TABLES.messages} as m`).select('m.id').where('m.id', messageId).whereExists(hiddenByBlock(db, viewerId, 'm')).first());
