import type { Knex } from 'knex';
import { dialectOf, type Db } from './client';

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
