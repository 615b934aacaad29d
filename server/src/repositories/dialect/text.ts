import type { Knex } from 'knex';
import { dialectOf, isMysql, type Db } from './client';
import { rawRows } from './raw';

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
