import type { Knex } from 'knex';
import { isMysql, isPostgres, isSqlite, type Db } from './client';
import { rawRows } from './raw';

/**
 * Row locks for the rest of the transaction. SQLite has none and needs none: it serializes writers
 * (one connection, and each transaction holds the database's write lock).
 *
 * Lock one table per statement. MariaDB has no `FOR UPDATE OF <table>` (knex drops the table list
 * on MySQL), so a locking join would lock the rows of every joined table, in the join's order.
 * The plugin's lock order, the same on every database: the author's user row (the send rate),
 * then threads in id order, then memberships in id order, then the rows only that transaction
 * writes (its message, outbox job, idempotency key). A transaction that takes a membership's lock
 * and then its thread's deadlocks against a concurrent reply to that thread; so does one that
 * updates a membership twice without the thread's lock on PostgreSQL (the second update's
 * foreign-key check takes a share lock on the thread). What still deadlocks, or loses its
 * connection, is run again by utils/transaction.ts.
 */
export const forUpdate = <Q extends Knex.QueryBuilder>(db: Db, query: Q): Q => (isSqlite(db) ? query : query.forUpdate()) as Q;

/**
 * Whether `SELECT ... FOR UPDATE SKIP LOCKED` exists (PostgreSQL, MySQL 8, MariaDB 10.6): competing
 * workers then pass over rows another one is claiming instead of waiting for it. SQLite has a
 * single writer, so there is nothing to skip.
 */
export const canSkipLocked = (db: Db) => !isSqlite(db);

/** Like forUpdate, skipping rows another transaction holds (where canSkipLocked). */
export const forUpdateSkipLocked = <Q extends Knex.QueryBuilder>(db: Db, query: Q): Q =>
  (canSkipLocked(db) ? query.forUpdate().skipLocked() : query) as Q;

/**
 * Locks the existing row of `table` that `key` (a unique key's columns and values) names, until the
 * transaction ends; answers whether it exists. SQLite has no row locks, but an UPDATE takes its
 * database write lock, which a transaction must hold before it reads (a SELECT first would read a
 * snapshot that another process's commit could make stale): the row is updated to what it holds.
 * Elsewhere SELECT ... FOR UPDATE, which writes no row version.
 */
export const lockExistingRow = async (db: Db, table: string, key: Record<string, string | number>) =>
  isSqlite(db)
    ? Number(await db(table).where(key).update(key)) > 0
    : Boolean(await db(table).select('id').where(key).forUpdate().first());

/** A lock of the whole site, not of a row: `id` on PostgreSQL (advisory locks are numbers), `name` on MySQL/MariaDB. */
export type SiteLock = { id: number; name: string };

/**
 * Takes `lock` for the rest of the transaction, or answers false when another instance holds it.
 * PostgreSQL: a transaction-level advisory lock. MySQL/MariaDB: a named lock of the connection,
 * which releaseSiteLock must release before the transaction ends. SQLite serializes writers anyway.
 */
export const trySiteLock = async (db: Db, lock: SiteLock) => {
  if (isPostgres(db)) return Boolean((await rawRows(db, 'select pg_try_advisory_xact_lock(?) as locked', [lock.id]))[0].locked);
  if (isMysql(db)) return Number((await rawRows(db, 'select get_lock(?, 0) as locked', [lock.name]))[0].locked) === 1;
  return true;
};

/** Releases what trySiteLock took where the transaction's end does not (MySQL/MariaDB). */
export const releaseSiteLock = async (db: Db, lock: SiteLock) => {
  if (isMysql(db)) await db.raw('select release_lock(?)', [lock.name]);
};
