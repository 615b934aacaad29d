import { createDocumentId } from '../utils/ids';
import { TABLES, strapiColumns, toInt, toIso, type Db } from './db';

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
  const [row] = await db(TABLES.messages)
    .insert({
      ...strapiColumns(documentId, input.now),
      thread_id: input.threadId,
      author_id: input.authorId,
      body: input.body,
      format: input.format,
      excerpt: input.excerpt,
    })
    .returning(COLUMNS);
  return mapMessage(row);
};

/**
 * One page of a thread's messages as a member sees them, newest first: messages after the
 * member's visibility watermark and, when paging back, before `beforeId`. Served by the
 * `(thread_id, id)` index.
 */
export const listThreadMessages = async (
  db: Db,
  input: { threadId: number; visibleAfterId: number; beforeId?: number; limit: number }
) => {
  const q = db(TABLES.messages)
    .select(COLUMNS)
    .where('thread_id', input.threadId)
    .andWhere('id', '>', input.visibleAfterId)
    .orderBy('id', 'desc')
    .limit(input.limit);
  if (input.beforeId !== undefined) q.andWhere('id', '<', input.beforeId);
  return (await q).map(mapMessage);
};

export const findMessagesByIds = async (db: Db, ids: number[]) =>
  ids.length === 0 ? [] : (await db(TABLES.messages).select(COLUMNS).whereIn('id', ids)).map(mapMessage);

export const findMessageByDocumentId = async (db: Db, documentId: string) => {
  const row = await db(TABLES.messages).select(COLUMNS).where({ document_id: documentId }).first();
  return row ? mapMessage(row) : null;
};

/** Id of the newest message in the thread written by someone other than `userId`, visible to them. */
export const newestMessageIdFromOthers = async (db: Db, threadId: number, userId: number, visibleAfterId: number) => {
  const row = await db(TABLES.messages)
    .max({ id: 'id' })
    .where('thread_id', threadId)
    .andWhere('id', '>', visibleAfterId)
    .andWhere((w) => w.whereNot('author_id', userId).orWhereNull('author_id'))
    .first();
  return row?.id ? toInt(row.id) : null;
};

export const softDeleteMessage = (db: Db, messageId: number, now: Date) =>
  db(TABLES.messages).where({ id: messageId }).whereNull('deleted_at').update({ deleted_at: now, updated_at: now });
