import path from 'node:path';
import { startSqliteCheckpointer } from '../lib/sqlite-checkpointer';

/**
 * SQLite by default; PostgreSQL with DATABASE_CLIENT=postgres, MySQL/MariaDB with DATABASE_CLIENT=mysql
 * (as in CI and the benchmarks).
 */
export default ({ env }) => {
  if (env('DATABASE_CLIENT', 'sqlite') === 'mysql') {
    return {
      connection: {
        client: 'mysql',
        connection: {
          host: env('DATABASE_HOST', '127.0.0.1'),
          port: env.int('DATABASE_PORT', 3306),
          database: env('DATABASE_NAME', 'private_messages'),
          user: env('DATABASE_USERNAME', 'root'),
          password: env('DATABASE_PASSWORD', ''),
          // utf8mb4: emoji and other 4-byte characters round-trip in subjects, bodies and tag names.
          charset: 'utf8mb4',
          ssl: false,
        },
        pool: {
          min: 0,
          max: env.int('DATABASE_POOL_MAX', 10),
          // READ COMMITTED, PostgreSQL's default: InnoDB's REPEATABLE READ takes gap locks on every
          // locking read and set-based update, and concurrent replies, bulk actions and purges deadlock.
          // A block body: mysql2's query object has a `then` that throws, and the pool awaits what this returns.
          afterCreate: (conn: { query: (sql: string, cb: (error: Error | null) => void) => unknown }, done: (error: Error | null, conn: unknown) => void) => {
            conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', (error) => done(error, conn));
          },
        },
      },
    };
  }
  if (env('DATABASE_CLIENT', 'sqlite') === 'postgres') {
    return {
      connection: {
        client: 'postgres',
        connection: {
          host: env('DATABASE_HOST', '127.0.0.1'),
          port: env.int('DATABASE_PORT', 5432),
          database: env('DATABASE_NAME', 'private_messages'),
          user: env('DATABASE_USERNAME', 'postgres'),
          password: env('DATABASE_PASSWORD', ''),
          ssl: false,
        },
        pool: { min: 0, max: env.int('DATABASE_POOL_MAX', 10) },
      },
    };
  }
  // Compiled config lives in dist/config: the app root is two levels up.
  const filename = path.resolve(__dirname, '..', '..', env('DATABASE_FILENAME', '.tmp/data.db'));
  // Checkpoints off the event loop (lib/sqlite-checkpointer.ts) for a server that keeps running; the
  // test suite and the in-process scripts (generator, grants), which boot and drop short-lived
  // instances and then reopen the file, keep SQLite's own.
  const checkpointInWorker = env.bool('SQLITE_CHECKPOINT_IN_WORKER', process.env.JEST_WORKER_ID === undefined);
  return {
    connection: {
      client: 'sqlite',
      connection: { filename },
      useNullAsDefault: true,
      // WAL: readers never wait for the writer, and a commit appends to the log instead of rewriting
      // pages, which keeps a big transaction's commit short (better-sqlite3 runs it on the event loop).
      pool: {
        afterCreate: (conn: { pragma: (sql: string) => unknown }, done: (error: Error | null, conn: unknown) => void) => {
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = NORMAL');
          if (checkpointInWorker) {
            conn.pragma('wal_autocheckpoint = 0');
            startSqliteCheckpointer(filename);
          }
          done(null, conn);
        },
      },
    },
  };
};
