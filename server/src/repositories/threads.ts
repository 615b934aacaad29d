import { createDocumentId } from '../utils/ids';
import { TABLES, insertInChunks, strapiColumns, toBool, toInt, toIso, type Db } from './db';

export type ThreadRow = {
  id: number;
  documentId: string;
  subject: string;
  isGroup: boolean;
  messageCount: number;
  lastMessageId: number;
  lastMessageAt: string | null;
  createdAt: string;
};

export const mapThread = (r: Record<string, unknown>): ThreadRow => ({
  id: toInt(r.id),
  documentId: String(r.document_id),
  subject: (r.subject as string) ?? '',
  isGroup: toBool(r.is_group),
  messageCount: toInt(r.message_count),
  lastMessageId: toInt(r.last_message_id),
  lastMessageAt: toIso(r.last_message_at),
  createdAt: toIso(r.created_at) as string,
});

/**
 * Creates a thread with its first message and one membership per member: a constant number of
 * statements (memberships go in multi-row inserts), inside the caller's transaction.
 */
export const createThread = async (
  db: Db,
  input: { subject: string; authorId: number; memberIds: number[]; isGroup: boolean; now: Date }
) => {
  const threadDocumentId = createDocumentId();
  const [threadRow] = await db(TABLES.threads)
    .insert({
      ...strapiColumns(threadDocumentId, input.now),
      subject: input.subject,
      is_group: input.isGroup,
      message_count: 0,
      last_message_id: 0,
      last_message_at: input.now,
      starter_id: input.authorId,
    })
    .returning('id');
  const threadId = toInt(typeof threadRow === 'object' ? threadRow.id : threadRow);

  await insertInChunks(
    db,
    TABLES.memberships,
    input.memberIds.map((userId) => ({
      ...strapiColumns(createDocumentId(), input.now),
      thread_id: threadId,
      user_id: userId,
      in_inbox: true,
      last_activity_at: input.now,
      last_read_message_id: 0,
      unread_count: 0,
      message_count: 0,
      visible_after_message_id: 0,
    }))
  );
  return { id: threadId, documentId: threadDocumentId };
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

export const findThreadById = async (db: Db, threadId: number) => {
  const row = await db(TABLES.threads).where({ id: threadId }).first();
  return row ? mapThread(row) : null;
};

/** Recomputes the threads' message count and last message from their messages (after a purge). */
export const recountThreads = async (db: Db, threadIds: number[]) => {
  if (threadIds.length === 0) return;
  const m = TABLES.messages;
  const t = TABLES.threads;
  await db(t)
    .whereIn('id', threadIds)
    .update({
      message_count: db.raw(`(select count(*) from ${m} where ${m}.thread_id = ${t}.id)`),
      last_message_id: db.raw(`coalesce((select max(id) from ${m} where ${m}.thread_id = ${t}.id), 0)`),
      last_message_at: db.raw(
        `coalesce((select created_at from ${m} where ${m}.id = (select max(id) from ${m} where ${m}.thread_id = ${t}.id)), ${t}.last_message_at)`
      ),
    });
};
