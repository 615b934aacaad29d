import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { isMysql, isPostgres, isSqlite, type Db } from './dialect';

/** A knex handle: the connection itself or a transaction. Every repository function takes one. */
export type { Db };

export const TABLES = {
  threads: 'pm_threads',
  messages: 'pm_messages',
  memberships: 'pm_memberships',
  membershipTags: 'pm_memberships_tags_lnk',
  tags: 'pm_tags',
  blocks: 'pm_blocks',
  preferences: 'pm_preferences',
  reports: 'pm_reports',
  outbox: 'pm_outbox',
  suspensions: 'pm_suspensions',
  streamTickets: 'pm_stream_tickets',
  streamEvents: 'pm_stream_events',
  idempotencyKeys: 'pm_idempotency_keys',
  contextAsks: 'pm_context_asks',
  contacts: 'pm_contacts',
  pushSubscriptions: 'pm_push_subscriptions',
  attachments: 'pm_attachments',
} as const;

/* Drivers disagree on types: SQLite hands back 0/1 and epoch milliseconds, PostgreSQL
   strings for counts. These normalize what the repositories return. */
export const toBool = (v: unknown) => v === true || v === 1 || v === '1' || v === 't';
export const toInt = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
export const toIso = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  const d = v instanceof Date ? v : new Date(typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : (v as string | number));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
};
export const toMillis = (v: unknown): number => new Date(toIso(v) ?? 0).getTime();

/** Columns Strapi expects on every content-type row we insert ourselves. */
export const strapiColumns = (documentId: string, now: Date) => ({
  document_id: documentId,
  created_at: now,
  updated_at: now,
  published_at: now,
});

type SqliteStatement = { all(bindings: unknown[]): Record<string, unknown>[]; run(bindings: unknown[]): { lastInsertRowid: number | bigint } };
type SqliteConnection = { prepare(sql: string): SqliteStatement; __knexUid?: string; __knexTxId?: string };
type KnexClient = {
  driverName?: string;
  dialect?: string;
  acquireConnection(): Promise<SqliteConnection>;
  releaseConnection(connection: SqliteConnection): Promise<void>;
  emit(event: string, data: unknown): void;
};
type Compilable = { toSQL(): { sql: string; bindings: readonly unknown[] }; options?(options: Record<string, unknown>): unknown };

const clientOf = (db: Db) => (db as unknown as { client: KnexClient }).client;
export { isSqlite } from './dialect';

/**
 * Whether `SELECT ... FOR UPDATE SKIP LOCKED` exists (PostgreSQL, MySQL 8, MariaDB 10.6): competing
 * workers then pass over rows another one is claiming instead of waiting for it. SQLite has a
 * single writer, so there is nothing to skip.
 */
export const canSkipLocked = (db: Db) => !isSqlite(db);

/**
 * PostgreSQL: named prepared statements for the hot reads, unless PRIVATE_MESSAGES_PREPARED_STATEMENTS
 * is `false` (for a pooler that cannot keep them, such as PgBouncer before 1.21 in transaction mode).
 */
const pgPreparedStatements = () => process.env.PRIVATE_MESSAGES_PREPARED_STATEMENTS !== 'false';

/** Prepared statements kept per SQLite connection, the least recently used dropped first. */
export const STATEMENTS_PER_CONNECTION = 100;
const statementCaches = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

const cachedStatement = (connection: SqliteConnection, sql: string) => {
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

/* What knex's better-sqlite3 client does to bindings before running a statement. */
const sqliteBinding = (v: unknown) => (v instanceof Date ? v.valueOf() : typeof v === 'boolean' ? Number(v) : v);

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
  const client = clientOf(db);
  if (client.driverName === 'better-sqlite3') {
    const { sql, bindings } = query.toSQL();
    const connection = await client.acquireConnection();
    try {
      client.emit('query', { __knexUid: connection.__knexUid, __knexTxId: connection.__knexTxId, sql, bindings, method: 'select' });
      return cachedStatement(connection, sql).all(bindings.map(sqliteBinding));
    } finally {
      await client.releaseConnection(connection);
    }
  }
  if (isPostgres(db) && pgPreparedStatements() && query.options) query.options({ name: statementName(query.toSQL().sql) });
  const result = await (query as unknown as Promise<unknown>);
  return (Array.isArray(result) ? result : (result as { rows: Record<string, unknown>[] }).rows) as Record<string, unknown>[];
};

/**
 * `column IN (ids)`, as one array parameter on PostgreSQL (`= any(?)`), so the statement's text, and
 * its prepared statement, do not depend on how many ids there are. SQLite keeps the IN list (its
 * statements are cached by text, and `json_each` would be no faster).
 */
export const whereIdIn = <Q extends Knex.QueryBuilder>(db: Db, query: Q, column: string, ids: number[]): Q =>
  (isPostgres(db) ? query.whereRaw('?? = any(?)', [column, ids]) : query.whereIn(column, ids)) as Q;

/**
 * Lets timers and I/O run before going on: SQLite's driver is synchronous, so a long series of
 * statements would block the event loop. One setImmediate is not enough: called from an I/O
 * callback, it runs in the same turn's check phase, before any timer; the second one, queued
 * from the check phase, waits for the next turn (timers, then I/O, then it). Measured: with one,
 * a 1,000-member delivery ran up to four 10 ms chunks back to back.
 */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * Inserts rows in chunks so no single statement exceeds the drivers' bind-parameter limits;
 * with `yieldBetween`, gives the event loop a turn between chunks. `toRows` builds each chunk's
 * rows just before its insert, so building 10,000 rows is spread over the turns too.
 */
export const insertInChunks = async <T = Record<string, unknown>>(
  db: Db,
  table: string,
  items: T[],
  {
    size = 400,
    yieldBetween = false,
    toRows = (chunk: T[]) => chunk as unknown as Record<string, unknown>[],
  }: { size?: number; yieldBetween?: boolean; toRows?: (chunk: T[]) => Record<string, unknown>[] } = {}
) => {
  for (let i = 0; i < items.length; i += size) {
    if (yieldBetween && i > 0) await yieldToEventLoop();
    await db(table).insert(toRows(items.slice(i, i + size)));
  }
};

export type BulkConflict = { columns: string[]; merge: string[] } | { columns: string[]; ignore: true };

const sqliteConflictClause = (conflict: BulkConflict | undefined) => {
  if (!conflict) return '';
  const target = conflict.columns.map((c) => `"${c}"`).join(', ');
  if ('ignore' in conflict) return ` on conflict (${target}) do nothing`;
  return ` on conflict (${target}) do update set ${conflict.merge.map((c) => `"${c}" = excluded."${c}"`).join(', ')}`;
};

/** Each column's type on PostgreSQL (`udt_name`: int4, varchar, timestamp, jsonb, …), read once per table. */
const pgColumnTypes = new Map<string, Promise<Map<string, string>>>();
const columnTypesOf = (db: Db, table: string) => {
  let types = pgColumnTypes.get(table);
  if (!types) {
    types = db
      .raw(`select column_name, udt_name from information_schema.columns where table_schema = current_schema() and table_name = ?`, [table])
      .then((r: { rows: { column_name: string; udt_name: string }[] }) => new Map(r.rows.map((c) => [c.column_name, c.udt_name])));
    pgColumnTypes.set(table, types);
    types.catch(() => pgColumnTypes.delete(table));
  }
  return types;
};

/**
 * PostgreSQL: one statement per 10,000 rows, each column passed as one array parameter and
 * turned back into rows by unnest(): the statement's text does not grow with the rows (knex's
 * multi-row VALUES has one placeholder per value, which knex builds and the server parses).
 */
const insertManyPostgres = async (
  db: Db,
  table: string,
  columns: string[],
  rows: Record<string, unknown>[],
  options: { returnIds?: boolean; conflict?: BulkConflict }
) => {
  const types = await columnTypesOf(db, table);
  const arrays = columns.map((c) => {
    const type = types.get(c);
    if (!type) throw new Error(`${table}.${c}: no such column`);
    return `?::${type.startsWith('_') ? type.slice(1) : type}[]`;
  });
  const conflict = !options.conflict
    ? ''
    : 'ignore' in options.conflict
      ? ` on conflict (${options.conflict.columns.map((c) => `"${c}"`).join(', ')}) do nothing`
      : ` on conflict (${options.conflict.columns.map((c) => `"${c}"`).join(', ')}) do update set ${options.conflict.merge.map((c) => `"${c}" = excluded."${c}"`).join(', ')}`;
  const sql =
    `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) select * from unnest(${arrays.join(', ')})${conflict}` +
    (options.returnIds ? ' returning id, document_id' : '');
  const ids = new Map<string, number>();
  for (const chunk of chunksOf(rows, 10_000)) {
    const result = await db.raw(sql, columns.map((c) => chunk.map((r) => r[c] ?? null)) as Knex.RawBinding[]);
    if (options.returnIds) for (const r of result.rows) ids.set(String(r.document_id), Number(r.id));
  }
  return options.returnIds ? rows.map((r) => ids.get(r.document_id as string) as number) : [];
};

/** At most `size` rows, and at most ~4 MB of text, per statement (MySQL's max_allowed_packet is 16 MB by default). */
const CHUNK_TEXT = 4 * 1024 * 1024;
function* chunksOf(rows: Record<string, unknown>[], size: number) {
  let chunk: Record<string, unknown>[] = [];
  let text = 0;
  for (const row of rows) {
    let length = 0;
    for (const v of Object.values(row)) length += typeof v === 'string' ? v.length * 2 : 16;
    if (chunk.length > 0 && (chunk.length >= size || text + length > CHUNK_TEXT)) {
      yield chunk;
      chunk = [];
      text = 0;
    }
    chunk.push(row);
    text += length;
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Inserts rows of the same columns in bulk (the importer's path: thousands of rows per
 * transaction); answers each row's new id, in order, when asked (`returnIds`; rows then carry a
 * unique `document_id`). SQLite (better-sqlite3): one prepared single-row statement, kept per
 * connection, run for each row on the transaction's connection: no SQL text built per chunk and
 * nothing parsed again. PostgreSQL: multi-row INSERT … RETURNING id, document_id. MySQL/MariaDB
 * (no RETURNING): multi-row INSERT, then the ids read back by document_id.
 */
export const insertMany = async (
  db: Db,
  table: string,
  rows: Record<string, unknown>[],
  options: { returnIds?: boolean; conflict?: BulkConflict; chunk?: number } = {}
): Promise<number[]> => {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]);
  const client = clientOf(db);
  if (client.driverName === 'better-sqlite3') {
    const sql = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})${sqliteConflictClause(options.conflict)}`;
    const connection = await client.acquireConnection();
    try {
      client.emit('query', { __knexUid: connection.__knexUid, __knexTxId: connection.__knexTxId, sql, bindings: [], method: 'insert' });
      const statement = cachedStatement(connection, sql);
      const ids: number[] = [];
      for (const row of rows) {
        const { lastInsertRowid } = statement.run(columns.map((c) => sqliteBinding(row[c] ?? null)));
        if (options.returnIds) ids.push(Number(lastInsertRowid));
      }
      return ids;
    } finally {
      await client.releaseConnection(connection);
    }
  }

  if (isPostgres(db)) return insertManyPostgres(db, table, columns, rows, options);

  const ids = new Map<string, number>();
  for (const chunk of chunksOf(rows, options.chunk ?? Math.max(1, Math.floor(30_000 / columns.length)))) {
    let insert = db(table).insert(chunk) as Knex.QueryBuilder;
    if (options.conflict) {
      const onConflict = insert.onConflict(options.conflict.columns);
      insert = ('ignore' in options.conflict ? onConflict.ignore() : onConflict.merge(options.conflict.merge)) as Knex.QueryBuilder;
    }
    if (!options.returnIds) {
      await insert;
      continue;
    }
    const found = isMysql(db)
      ? (await insert, await db(table).select('id', 'document_id').whereIn('document_id', chunk.map((r) => r.document_id as string)))
      : await insert.returning(['id', 'document_id']);
    for (const r of found as Record<string, unknown>[]) ids.set(String(r.document_id), Number(r.id));
  }
  return options.returnIds ? rows.map((r) => ids.get(r.document_id as string) as number) : [];
};
