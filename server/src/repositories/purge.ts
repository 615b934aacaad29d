import { TABLES, toInt, type Db } from './db';
import { releaseSiteLock, trySiteLock } from './dialect';
import { lockThreads as lockThreadRows } from './threads';
import { unindexMessages } from './message-search';

/** Any constant: the lock that lets only one instance purge at a time. */
const PURGE_LOCK = 727_001;
const PURGE_SITE_LOCK = { id: PURGE_LOCK, name: `pm_purge_${PURGE_LOCK}` };

/**
 * Takes the purge lock for the rest of the transaction, or answers false when another instance holds
 * it (dialect.trySiteLock); releasePurgeLock must run before the transaction ends.
 */
export const tryPurgeLock = (db: Db) => trySiteLock(db, PURGE_SITE_LOCK);

export const releasePurgeLock = (db: Db) => releaseSiteLock(db, PURGE_SITE_LOCK);

/** The oldest `limit` messages deleted before `cutoff`: ids and threads. */
export const listPurgeable = async (db: Db, cutoff: Date, limit: number) => {
  const rows = await db(TABLES.messages).select('id', 'thread_id').where('deleted_at', '<', cutoff).orderBy('id').limit(limit);
  return rows.map((r: Record<string, unknown>) => ({ id: toInt(r.id), threadId: toInt(r.thread_id) }));
};

/**
 * Locks the threads' rows in id order. Sends lock their thread row first (threads.lockThread):
 * taking the same locks before recounting waits for sends in flight to commit, so the recounts
 * (statements with fresh snapshots) see their messages; later sends wait for us and add to exact
 * counts. Without it, a recount blocked by a send would overwrite its +1 with a stale count.
 */
export const lockThreads = (db: Db, threadIds: number[]) => lockThreadRows(db, threadIds);

/** Deletes the messages for good, and their search index rows; their reports stay, pointing at no message. Answers how many went. */
export const deleteMessages = async (db: Db, ids: number[]) => {
  await db(TABLES.reports).whereIn('message_id', ids).update({ message_id: null });
  await unindexMessages(db, ids);
  return toInt(await db(TABLES.messages).whereIn('id', ids).delete());
};
