import { TABLES, toInt, type Db } from './db';
import { dialectOf, rawRows } from './dialect';
import { lockThreads as lockThreadRows } from './threads';
import { unindexMessages } from './message-search';

/** Any constant: the lock that lets only one instance purge at a time. */
const PURGE_LOCK = 727_001;

/**
 * Takes the purge lock for the rest of the transaction, or answers false when another instance holds
 * it. PostgreSQL: a transaction-level advisory lock. MySQL/MariaDB: a named lock of the connection,
 * released by releasePurgeLock before the transaction ends. SQLite serializes writers anyway.
 */
export const tryPurgeLock = async (db: Db) => {
  switch (dialectOf(db)) {
    case 'postgres':
      return Boolean((await rawRows(db, 'select pg_try_advisory_xact_lock(?) as locked', [PURGE_LOCK]))[0].locked);
    case 'mysql':
      return Number((await rawRows(db, 'select get_lock(?, 0) as locked', [`pm_purge_${PURGE_LOCK}`]))[0].locked) === 1;
    default:
      return true;
  }
};

export const releasePurgeLock = async (db: Db) => {
  if (dialectOf(db) === 'mysql') await db.raw('select release_lock(?)', [`pm_purge_${PURGE_LOCK}`]);
};

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
