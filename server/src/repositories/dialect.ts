import type { Knex } from 'knex';

/**
 * Every difference between the databases the plugin runs on (SQLite, PostgreSQL, MySQL/MariaDB)
 * lives here; repositories ask this module instead of reading knex's client themselves.
 */
export type Db = Knex | Knex.Transaction;
export type Dialect = 'sqlite' | 'postgres' | 'mysql';

const dialects = new WeakMap<object, Dialect>();

/** The database behind a knex handle (a transaction shares its connection's client). */
export const dialectOf = (db: Db): Dialect => {
  const client = (db as unknown as { client: { dialect?: string; config?: { client?: unknown } } }).client;
  let dialect = dialects.get(client);
  if (!dialect) {
    const name = String(client.dialect ?? client.config?.client ?? '');
    dialect = name === 'postgresql' || name === 'pg' || name === 'postgres' ? 'postgres' : name.startsWith('mysql') ? 'mysql' : 'sqlite';
    dialects.set(client, dialect);
  }
  return dialect;
};

export const isPostgres = (db: Db) => dialectOf(db) === 'postgres';
export const isMysql = (db: Db) => dialectOf(db) === 'mysql';
export const isSqlite = (db: Db) => dialectOf(db) === 'sqlite';

/** The id MySQL reports for an insert (knex answers `[insertId]`); 0 when INSERT IGNORE skipped the row. */
const insertId = (result: unknown) => Number(Array.isArray(result) ? result[0] : result) || 0;

/**
 * Inserts one row and reads back `columns` of it. PostgreSQL and SQLite answer with RETURNING;
 * MySQL/MariaDB have no RETURNING for INSERT (knex only warns), so the row is read by its new id.
 */
export const insertReturning = async (db: Db, table: string, row: Record<string, unknown>, columns: string[] | '*' = '*') => {
  if (isMysql(db)) {
    const id = insertId(await db(table).insert(row));
    return (await db(table).select(columns).where({ id }).first()) as Record<string, unknown>;
  }
  const [inserted] = await db(table).insert(row).returning(columns as string[]);
  return inserted as Record<string, unknown>;
};

/**
 * Inserts one row unless a unique key over `conflictColumns` already holds it; answers the new row's
 * `columns`, or null when it was there. (MySQL's INSERT IGNORE reports insert id 0 for a skipped row.)
 */
export const insertIgnoreReturning = async (
  db: Db,
  table: string,
  row: Record<string, unknown>,
  conflictColumns: string[],
  columns: string[] | '*' = '*'
) => {
  if (isMysql(db)) {
    const id = insertId(await db(table).insert(row).onConflict(conflictColumns).ignore());
    return id ? ((await db(table).select(columns).where({ id }).first()) as Record<string, unknown>) : null;
  }
  const rows = await db(table).insert(row).onConflict(conflictColumns).ignore().returning(columns as string[]);
  return rows.length > 0 ? (rows[0] as Record<string, unknown>) : null;
};

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

/** Like forUpdate, skipping rows another transaction holds (PostgreSQL, MySQL 8, MariaDB 10.6+). */
export const forUpdateSkipLocked = <Q extends Knex.QueryBuilder>(db: Db, query: Q): Q =>
  (isSqlite(db) ? query : query.forUpdate().skipLocked()) as Q;

/**
 * A case-insensitive `column LIKE pattern` (the pattern escapes `%`, `_` and `\` with `\`).
 * PostgreSQL: ILIKE (served by the trigram index). SQLite: LIKE is case-insensitive for ASCII.
 * MySQL/MariaDB: both sides lowercased (Unicode-aware) and compared in utf8mb4_bin, so that only
 * case is ignored, as ILIKE does: a plain LIKE would follow the column's collation, which is also
 * accent-insensitive (MariaDB's utf8mb4_general_ci, MySQL 8's utf8mb4_0900_ai_ci: `cafe` would
 * find `Café`) and whatever else a site's collation makes equal. The pattern is converted to
 * utf8mb4 first, whatever the connection's charset. A backslash is already LIKE's escape there
 * (an ESCAPE clause would need it doubled). No index serves it (see search-indexes.ts).
 */
export const whereLikeInsensitive = <Q extends Knex.QueryBuilder>(db: Db, query: Q, column: string, pattern: string): Q => {
  switch (dialectOf(db)) {
    case 'postgres':
      return query.andWhereRaw(`?? ilike ? escape '\\'`, [column, pattern]) as Q;
    case 'mysql':
      return query.andWhereRaw('lower(??) like lower(convert(? using utf8mb4)) collate utf8mb4_bin', [column, pattern]) as Q;
    default:
      return query.andWhereRaw(`?? like ? escape '\\'`, [column, pattern]) as Q;
  }
};

/**
 * Refreshes the planner's statistics of tables a bulk load just filled (PostgreSQL ANALYZE, MySQL
 * ANALYZE TABLE). Without them, PostgreSQL plans a growing table as the empty one it last saw (a
 * lookup by key read every row of the import map: 1,750 messages/s at 600k, 5,700 after one
 * ANALYZE), and autovacuum may be off, or run later. SQLite's planner needs none for these lookups.
 */
export const refreshStatistics = async (db: Db, tables: string[]) => {
  if (tables.length === 0) return;
  if (isPostgres(db)) await db.raw(`analyze ${tables.map(() => '??').join(', ')}`, tables);
  else if (isMysql(db)) await db.raw(`analyze table ${tables.map(() => '??').join(', ')}`, tables);
};

/** Runs raw SQL and answers its rows: drivers shape results differently (pg `{rows}`, mysql2 `[rows, fields]`). */
export const rawRows = async (db: Db, sql: string, bindings: readonly unknown[] = []): Promise<Record<string, unknown>[]> => {
  const result = await db.raw(sql, bindings as Knex.RawBinding[]);
  switch (dialectOf(db)) {
    case 'postgres':
      return result.rows;
    case 'mysql':
      return result[0];
    default:
      return result;
  }
};

/**
 * MySQL/MariaDB only: makes `column` compare byte for byte (utf8mb4_bin), whatever collation its
 * table got from the database. The `_ci` collations hold 'e' = 'é' and 'ß' = 'ss', and
 * utf8mb4_unicode_ci every emoji equal to every other: a unique index over such a column refuses
 * values that PostgreSQL and SQLite keep apart. Keeps the column's type and nullability, and does
 * nothing once done. Strapi's schema sync does not compare collations; if it ever rewrites the
 * column, the next boot runs this again. Answers whether it changed the column.
 */
export const ensureBinaryCollation = async (db: Db, table: string, column: string) => {
  if (!isMysql(db)) return false;
  const [info] = await rawRows(
    db,
    `select column_type as type, is_nullable as nullable, collation_name as collation from information_schema.columns
      where table_schema = database() and table_name = ? and column_name = ?`,
    [table, column]
  );
  if (!info || info.collation === 'utf8mb4_bin') return false;
  const type = String(info.type);
  if (!/^(var)?char\(\d+\)$/i.test(type)) throw new Error(`${table}.${column} is ${type}, not a character column`);
  const nullable = info.nullable === 'YES' ? 'null' : 'not null';
  await db.raw(`alter table ?? modify ?? ${type} character set utf8mb4 collate utf8mb4_bin ${nullable}`, [table, column]);
  return true;
};


/**
 * Whether the database refused a row pointing at a row that is gone (a foreign key): PostgreSQL
 * 23503, MySQL/MariaDB 1452, SQLite's FOREIGN KEY constraint. A send whose recipient's account was
 * deleted while it was being written meets it (services/messaging.ts answers it as the gate would).
 */
export const isForeignKeyViolation = (error: unknown) => {
  const e = error as { code?: unknown; errno?: unknown; message?: unknown } | undefined;
  return Boolean(
    e && (e.code === '23503' || e.errno === 1452 || e.code === 'ER_NO_REFERENCED_ROW_2' || e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || /FOREIGN KEY constraint failed/i.test(String(e.message ?? '')))
  );
};
