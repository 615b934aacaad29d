import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startSqliteCheckpointer } from '../../playground/lib/sqlite-checkpointer';
import { waitFor } from '../helpers/wait';

describe("the playground's SQLite checkpointer", () => {
  it('copies the WAL into the database file from its own thread while the writer never checkpoints', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-ckpt-'));
    const file = path.join(dir, 'data.db');
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('wal_autocheckpoint = 0');
      db.exec('create table t (id integer primary key, v text)');
      const insert = db.prepare('insert into t (v) values (?)');
      db.transaction(() => {
        for (let i = 0; i < 5000; i += 1) insert.run('x'.repeat(200));
      })();
      const before = fs.statSync(file).size;
      startSqliteCheckpointer(file, 50);
      // Wait for the whole copy, not its first pages: a checkpoint may land in more than one pass.
      await waitFor(() => fs.statSync(file).size > before + 1_000_000);
      expect(fs.statSync(file).size).toBeGreaterThan(before + 1_000_000);
      expect((db.prepare('select count(*) as n from t').get() as { n: number }).n).toBe(5000);
    } finally {
      db.close();
    }
  });
});
