import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { clientOf, isBetterSqlite3, isPostgres, type Db, type SqliteConnection, type SqliteStatement } from './client';

/*
 * Prepared statements for the hot reads, which knex would prepare (SQLite) or have planned
 * (PostgreSQL) anew each time.
 */

type Compilable = { toSQL(): { sql: string; bindings: readonly unknown[] }; options?(options: Record<string, unknown>): unknown };

/**
 * PostgreSQL: named prepared statements for the hot reads, unless PRIVATE_MESSAGES_PREPARED_STATEMENTS
 * is `false` (for a pooler that cannot keep them, such as PgBouncer before 1.21 in transaction mode).
 */
const pgPreparedStatements = () => process.env.PRIVATE_MESSAGES_PREPARED_STATEMENTS !== 'false';

/** Prepared statements kept per SQLite connection, the least recently used dropped first. */
export const STATEMENTS_PER_CONNECTION = 100;
const statementCaches = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

/** The connection's prepared statement of `sql`, prepared on first use and kept (STATEMENTS_PER_CONNECTION at most). */
export const cachedStatement = (connection: SqliteConnection, sql: string) => {
  let cache = statementCaches.get(connection);
  if (!cache) statementCaches.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (statement) {
    cache.delete(sql); // re-inserted below: a Map iterates in insertion order, oldest first
  } else {
    statement = connection.prepare(sql);
    if (cache.size >= STATEMENTS_PER_CONNECTION) cache.delete(cache.keys().next().value as string);
  }
  cache.set(sql, statement);
  return statement;
};

/** What knex's better-sqlite3 client does to bindings before running a statement. */
export const sqliteBinding = (v: unknown) => (v instanceof Date ? v.valueOf() : typeof v === 'boolean' ? Number(v) : v);

/**
 * Runs `work` on the better-sqlite3 connection knex would use for `db` (the transaction's, if any),
 * after emitting knex's `query` event as knex does.
 */
export const onSqliteConnection = async <T>(db: Db, event: { sql: string; bindings: readonly unknown[]; method: string }, work: (connection: SqliteConnection) => T) => {
  const client = clientOf(db);
  const connection = await client.acquireConnection();
  try {
    client.emit('query', { __knexUid: connection.__knexUid, __knexTxId: connection.__knexTxId, ...event });
    return work(connection);
  } finally {
    await client.releaseConnection(connection);
  }
};

/** The name of a PostgreSQL prepared statement: one per SQL text, on every connection. */
export const statementName = (sql: string) => `pm_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;

/**
 * Runs a SELECT built with knex and returns its rows, without preparing it anew each time, which
 * knex does: for an inbox page, preparing (SQLite) or planning (PostgreSQL) costs a third to a half
 * as much as running (see docs/benchmarks.md).
 * - SQLite: reuses the prepared statement of the same SQL on that connection (STATEMENTS_PER_CONNECTION
 *   at most), and emits knex's `query` event as knex does.
 * - PostgreSQL: runs it through knex as a named prepared statement, which the server plans once per
 *   connection. Callers pass queries of a fixed shape (lists of ids as one array parameter: whereIdIn),
 *   so a connection keeps a few statements, not one per list length.
 * - Anything else: knex as usual.
 */
export const selectRows = async (db: Db, query: Compilable): Promise<Record<string, unknown>[]> => {
  if (isBetterSqlite3(db)) {
    const { sql, bindings } = query.toSQL();
    return onSqliteConnection(db, { sql, bindings, method: 'select' }, (connection) => cachedStatement(connection, sql).all(bindings.map(sqliteBinding)));
  }
  if (isPostgres(db) && pgPreparedStatements() && query.options) query.options({ name: statementName(query.toSQL().sql) });
  const result = await (query as unknown as Promise<unknown>);
  return (Array.isArray(result) ? result : (result as { rows: Record<string, unknown>[] }).rows) as Record<string, unknown>[];
};

/**
 * `column IN (ids)`, as one array parameter on PostgreSQL (`= any(?)`), so the statement's text, and
 * its prepared statement, do not depend on how many ids there are. SQLite keeps the IN list (its
 * statements are cached by text, and `json_each` would be no faster). Ids are numbers, or strings
 * (documentIds), never both in one list.
 */
export const whereIdIn = <Q extends Knex.QueryBuilder>(db: Db, query: Q, column: string, ids: number[] | string[]): Q =>
  (isPostgres(db) ? query.whereRaw('?? = any(?)', [column, ids]) : query.whereIn(column, ids)) as Q;
