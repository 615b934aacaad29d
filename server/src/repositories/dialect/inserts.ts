import { dialectOf, isMysql, type Db } from './client';

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
 * The SQL of `insert into table (columns) select …` that skips the rows whose unique key
 * (`conflictColumns`) is already taken, in each database's words. `columns`: the list as written,
 * in parentheses.
 */
export const insertSelectIgnoringSql = (db: Db, table: string, columns: string, select: string, conflictColumns: string[]) => {
  switch (dialectOf(db)) {
    case 'mysql':
      return `insert ignore into ${table} ${columns} ${select}`;
    case 'sqlite':
      return `insert or ignore into ${table} ${columns} ${select}`;
    default:
      return `insert into ${table} ${columns} ${select} on conflict (${conflictColumns.join(', ')}) do nothing`;
  }
};
