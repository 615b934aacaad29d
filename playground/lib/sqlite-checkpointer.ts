import { Worker } from 'node:worker_threads';

/*
 * In WAL mode SQLite copies the log back into the database file (a checkpoint) on the connection
 * that commits, once the log passes 1,000 pages. better-sqlite3 runs on the event loop, so after a
 * big transaction (a message to a 10,000-user role) that copy blocks the server for tens of
 * milliseconds. The server's connection can leave checkpoints to this worker thread instead: it
 * opens its own connection and runs a PASSIVE checkpoint (never waits for readers or the writer)
 * every `intervalMs`, off the event loop. Often and small is better: a checkpoint ends with an fsync
 * of the database file, which stalls the server's own writes to the disk for a moment, and the more
 * pages it copied the longer (measured on a 2M-message database, worst loop delay over 100 replies
 * to a 1,000-member thread: every 5 s, 80–166 ms; every second, 35–72 ms; every 100 ms, 18–50 ms).
 */
const WORKER_SOURCE = `
  const { parentPort, workerData } = require('node:worker_threads');
  const Database = require(workerData.driver);
  const db = new Database(workerData.filename);
  db.pragma('busy_timeout = 1000');
  setInterval(() => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      parentPort.postMessage(String(error && error.message));
    }
  }, workerData.intervalMs);
`;

const running = new Map<string, Worker>();

/** Starts one checkpointing thread per database file (idempotent); it never keeps the process alive. */
export const startSqliteCheckpointer = (filename: string, intervalMs = 100) => {
  if (running.has(filename)) return;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { filename, intervalMs, driver: require.resolve('better-sqlite3') },
  });
  worker.on('message', (message) => console.warn(`[sqlite checkpointer] ${message}`));
  worker.on('error', (error) => {
    console.warn(`[sqlite checkpointer] stopped: ${error.message}`);
    running.delete(filename);
  });
  worker.unref();
  running.set(filename, worker);
};
