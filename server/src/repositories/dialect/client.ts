import type { Knex } from 'knex';

/** A knex handle: the connection itself or a transaction. Every repository function takes one. */
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

/* knex's client as the SQLite fast paths use it: better-sqlite3's own connection, and knex's `query` event. */
export type SqliteStatement = {
  all(bindings: unknown[]): Record<string, unknown>[];
  run(bindings: unknown[]): { lastInsertRowid: number | bigint };
};
export type SqliteConnection = { prepare(sql: string): SqliteStatement; __knexUid?: string; __knexTxId?: string };
export type KnexClient = {
  driverName?: string;
  acquireConnection(): Promise<SqliteConnection>;
  releaseConnection(connection: SqliteConnection): Promise<void>;
  emit(event: string, data: unknown): void;
};

export const clientOf = (db: Db) => (db as unknown as { client: KnexClient }).client;

/** Whether knex runs on better-sqlite3, whose connection can prepare and keep statements. */
export const isBetterSqlite3 = (db: Db) => clientOf(db).driverName === 'better-sqlite3';
