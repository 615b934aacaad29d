import { isPostgres, type Db } from './client';

/**
 * `expr` (SQL whose value is JSON text) as a value for a JSON column: PostgreSQL's jsonb columns
 * take no text without a cast (`::jsonb`); SQLite and MySQL/MariaDB store the text as it is.
 * `asJson(db, '?')` is a parameter of JSON text.
 */
export const asJson = (db: Db, expr: string) => (isPostgres(db) ? `${expr}::jsonb` : expr);
