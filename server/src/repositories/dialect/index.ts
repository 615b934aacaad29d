/**
 * Every difference between the databases the plugin runs on (SQLite, PostgreSQL, MySQL/MariaDB)
 * lives in this folder, one file per concern; the rest of the plugin asks it a named question
 * (`canSkipLocked`, `supportsListenNotify`, `insertReturning`, …) and never reads knex's client or
 * compares database names (test/unit/dialect.test.ts checks it).
 *
 * - client.ts: which database a knex handle talks to (for this folder, and for search-dialect.ts,
 *   which holds the three implementations of the message search index)
 * - capabilities.ts: what a database offers (LISTEN/NOTIFY, several processes, trigram indexes)
 * - locking.ts: row locks and their order, SKIP LOCKED, site-wide locks
 * - inserts.ts: one row with RETURNING or without, INSERT … SELECT skipping duplicates
 * - bulk-insert.ts: thousands of rows at a time (the importer)
 * - prepared.ts: prepared statements for the hot reads, id lists as one parameter
 * - keys.ts: rows named by id, looked up by primary key only
 * - text.ts: case-insensitive matching, byte-wise collation
 * - json.ts: JSON values · raw.ts: raw SQL's rows · statistics.ts: the planner's statistics
 * - errors.ts: what each driver says when it refuses a row or gives up on a statement
 */
export { dialectOf, type Db, type Dialect } from './client';
export { supportsListenNotify, isSharedByProcesses, supportsTrigramIndex } from './capabilities';
export { forUpdate, forUpdateSkipLocked, canSkipLocked, lockExistingRow, trySiteLock, releaseSiteLock, type SiteLock } from './locking';
export { insertReturning, insertIgnoreReturning, insertSelectIgnoringSql } from './inserts';
export { insertMany, type BulkConflict } from './bulk-insert';
export { selectRows, statementName, STATEMENTS_PER_CONNECTION, whereIdIn } from './prepared';
export { byPrimaryKey } from './keys';
export { whereLikeInsensitive, ensureBinaryCollation } from './text';
export { asJson } from './json';
export { rawRows } from './raw';
export { refreshStatistics } from './statistics';
export { isForeignKeyViolation, isUniqueViolation, isRetriableDatabaseError } from './errors';
