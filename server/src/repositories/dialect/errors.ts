/*
 * What each database's driver says when it refuses or gives up on a statement: PostgreSQL's
 * SQLSTATE codes (pg), MySQL/MariaDB's errnos and codes (mysql2), SQLite's codes (better-sqlite3).
 */

type DbError = { code?: unknown; errno?: unknown; message?: unknown; sqlState?: unknown };

/**
 * Whether the database refused a row pointing at a row that is gone (a foreign key): PostgreSQL
 * 23503, MySQL/MariaDB 1452, SQLite's FOREIGN KEY constraint. A send whose recipient's account was
 * deleted while it was being written meets it (services/messaging.ts answers it as the gate would).
 */
export const isForeignKeyViolation = (error: unknown) => {
  const e = error as DbError | undefined;
  return Boolean(
    e && (e.code === '23503' || e.errno === 1452 || e.code === 'ER_NO_REFERENCED_ROW_2' || e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || /FOREIGN KEY constraint failed/i.test(String(e.message ?? '')))
  );
};

/**
 * Whether a unique index refused a second row (a concurrent duplicate): PostgreSQL 23505,
 * MySQL/MariaDB 1062, SQLite's UNIQUE constraint.
 */
export const isUniqueViolation = (error: unknown) => {
  const e = error as DbError | null;
  return e?.code === '23505' || e?.errno === 1062 || e?.code === 'ER_DUP_ENTRY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
};

/* PostgreSQL SQLSTATEs: serialization_failure, deadlock_detected, lock_not_available, and the
   connection's own end (admin_shutdown: pg_terminate_backend, crash_shutdown, cannot_connect_now,
   connection_exception and its subclasses). */
const PG_CODES = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);
/* MySQL/MariaDB errnos: lock wait timeout, deadlock, connection killed (KILL CONNECTION / server gone). */
const MYSQL_ERRNOS = new Set([1205, 1213, 1927, 2006, 2013, 4031]);
/* Node and driver codes of a connection that went away, and SQLite's busy file. */
const CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_RECOVERY',
  'SQLITE_LOCKED',
]);
/* What pg, mysql2 and knex say, without a code, when the connection under them is gone. */
const MESSAGES = [
  /Connection terminated/i,
  /Client has encountered a connection error and is not queryable/i,
  /Client was closed and is not queryable/i,
  /Connection ended unexpectedly/i,
  /* knex, for a statement of a transaction its lost connection had already ended (rolled back). */
  /Transaction query already complete/i,
  /connection is in closed state/i,
  /Knex: Timeout acquiring a connection/i,
  /terminating connection due to administrator command/i,
  /database is locked/i,
];

/**
 * Whether the database gave up on the statement for a reason a later attempt may not meet (a
 * deadlock, a serialization failure, a busy SQLite file, a lost connection): utils/transaction.ts
 * runs such a transaction again.
 */
export const isRetriableDatabaseError = (error: unknown): boolean => {
  for (let e = error as (DbError & { cause?: unknown }) | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth += 1) {
    if (typeof e !== 'object') return false;
    if (typeof e.code === 'string' && (PG_CODES.has(e.code) || CODES.has(e.code))) return true;
    if (typeof e.errno === 'number' && MYSQL_ERRNOS.has(e.errno)) return true;
    if (e.sqlState === '40001') return true;
    if (typeof e.message === 'string' && MESSAGES.some((m) => m.test(e.message as string))) return true;
  }
  return false;
};
