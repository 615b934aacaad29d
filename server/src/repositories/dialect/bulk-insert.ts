import type { Knex } from 'knex';
import { isBetterSqlite3, isMysql, isPostgres, type Db } from './client';
import { cachedStatement, onSqliteConnection, sqliteBinding } from './prepared';

/** What a bulk insert does with a row whose unique key (`columns`) is taken: update `merge`, or skip it. */
export type BulkConflict = { columns: string[]; merge: string[] } | { columns: string[]; ignore: true };

/** `on conflict (…) do nothing | do update set …`, as SQLite and PostgreSQL write it. */
const onConflictClause = (conflict: BulkConflict | undefined) => {
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

type InsertManyOptions = { returnIds?: boolean; conflict?: BulkConflict; chunk?: number };

/** Each row's id, in order, from the ids found by document_id. */
const idsInOrder = (rows: Record<string, unknown>[], ids: Map<string, number>) => rows.map((r) => ids.get(r.document_id as string) as number);

/**
 * SQLite (better-sqlite3): one prepared single-row statement, kept per connection, run for each row
 * on the transaction's connection: no SQL text built per chunk and nothing parsed again.
 */
const insertManySqlite = (db: Db, table: string, columns: string[], rows: Record<string, unknown>[], options: InsertManyOptions) => {
  const sql = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map(() => '?').join(', ')})${onConflictClause(options.conflict)}`;
  return onSqliteConnection(db, { sql, bindings: [], method: 'insert' }, (connection) => {
    const statement = cachedStatement(connection, sql);
    const ids: number[] = [];
    for (const row of rows) {
      const { lastInsertRowid } = statement.run(columns.map((c) => sqliteBinding(row[c] ?? null)));
      if (options.returnIds) ids.push(Number(lastInsertRowid));
    }
    return ids;
  });
};

/**
 * PostgreSQL: one statement per 10,000 rows, each column passed as one array parameter and
 * turned back into rows by unnest(): the statement's text does not grow with the rows (knex's
 * multi-row VALUES has one placeholder per value, which knex builds and the server parses).
 */
const insertManyPostgres = async (db: Db, table: string, columns: string[], rows: Record<string, unknown>[], options: InsertManyOptions) => {
  const types = await columnTypesOf(db, table);
  const arrays = columns.map((c) => {
    const type = types.get(c);
    if (!type) throw new Error(`${table}.${c}: no such column`);
    return `?::${type.startsWith('_') ? type.slice(1) : type}[]`;
  });
  const sql =
    `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) select * from unnest(${arrays.join(', ')})${onConflictClause(options.conflict)}` +
    (options.returnIds ? ' returning id, document_id' : '');
  const ids = new Map<string, number>();
  for (const chunk of chunksOf(rows, 10_000)) {
    const result = await db.raw(sql, columns.map((c) => chunk.map((r) => r[c] ?? null)) as Knex.RawBinding[]);
    if (options.returnIds) for (const r of result.rows) ids.set(String(r.document_id), Number(r.id));
  }
  return options.returnIds ? idsInOrder(rows, ids) : [];
};

/** MySQL/MariaDB (no RETURNING): knex's multi-row INSERT, then the ids read back by document_id. */
const insertManyMultiRow = async (db: Db, table: string, columns: string[], rows: Record<string, unknown>[], options: InsertManyOptions) => {
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
  return options.returnIds ? idsInOrder(rows, ids) : [];
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
 * unique `document_id`). SQLite: one prepared statement run per row; PostgreSQL: unnest() of one
 * array per column; MySQL/MariaDB: multi-row INSERTs (see each above).
 */
export const insertMany = async (db: Db, table: string, rows: Record<string, unknown>[], options: InsertManyOptions = {}): Promise<number[]> => {
  if (rows.length === 0) return [];
  const columns = Object.keys(rows[0]);
  if (isBetterSqlite3(db)) return insertManySqlite(db, table, columns, rows, options);
  if (isPostgres(db)) return insertManyPostgres(db, table, columns, rows, options);
  return insertManyMultiRow(db, table, columns, rows, options);
};
