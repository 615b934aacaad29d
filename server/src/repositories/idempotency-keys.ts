import { TABLES, strapiColumns, toInt, type Db } from './db';
import { createDocumentId } from '../utils/ids';

/*
 * Idempotency keys of sends: one row per (user, key), written in the send's own transaction (so a
 * send and its key commit together or not at all), its answer stored right after the commit.
 */

export type IdempotencyRecord = {
  requestHash: string;
  threadId: number | null;
  messageId: number | null;
  answer: { status: number; body: unknown } | null;
  createdAt: Date;
};

/** The key's record, unless older than `since` (an expired key is as good as new). */
export const findKey = async (db: Db, userId: number, key: string, since: Date): Promise<IdempotencyRecord | null> => {
  const row = await db(TABLES.idempotencyKeys)
    .select('request_hash', 'thread_id', 'message_id', 'answer_status', 'answer_body', 'created_at')
    .where({ user_id: userId, idempotency_key: key })
    .andWhere('created_at', '>', since)
    .first();
  if (!row) return null;
  return {
    requestHash: String(row.request_hash),
    threadId: row.thread_id == null ? null : toInt(row.thread_id),
    messageId: row.message_id == null ? null : toInt(row.message_id),
    answer: row.answer_body == null ? null : { status: toInt(row.answer_status), body: JSON.parse(String(row.answer_body)) },
    createdAt: new Date(row.created_at),
  };
};

/**
 * Records the key with what the send wrote, inside its transaction. A concurrent request with the
 * same key waits on the unique index until this one commits, then fails as a duplicate
 * (dialect.isUniqueViolation). An expired row of the same key is replaced.
 */
export const insertKey = async (
  db: Db,
  input: { userId: number; key: string; requestHash: string; threadId: number; messageId: number; now: Date; expiredBefore: Date }
) => {
  await db(TABLES.idempotencyKeys).where({ user_id: input.userId, idempotency_key: input.key }).andWhere('created_at', '<=', input.expiredBefore).del();
  await db(TABLES.idempotencyKeys).insert({
    ...strapiColumns(createDocumentId(), input.now),
    user_id: input.userId,
    idempotency_key: input.key,
    request_hash: input.requestHash,
    thread_id: input.threadId,
    message_id: input.messageId,
  });
};

/** The answer the first request got, replayed to its retries. */
export const storeAnswer = (db: Db, userId: number, key: string, answer: { status: number; body: unknown }) =>
  db(TABLES.idempotencyKeys)
    .where({ user_id: userId, idempotency_key: key })
    .update({ answer_status: answer.status, answer_body: JSON.stringify(answer.body) });

/** Keys older than `before` (the purge's cron). */
export const deleteKeysBefore = async (db: Db, before: Date) => toInt(await db(TABLES.idempotencyKeys).where('created_at', '<=', before).del());
