'use strict';
/**
 * Bulk writers for one database: SQLite through better-sqlite3 prepared statements in one
 * transaction per table, PostgreSQL through COPY FROM STDIN, MySQL/MariaDB through LOAD DATA LOCAL
 * INFILE fed from a stream. Secondary indexes and constraints of the loaded tables are dropped
 * before the load and recreated after it (the same definitions).
 */
const path = require('node:path');
const { PassThrough } = require('node:stream');

/** `readOnly`: for reading a database a running server has open (in WAL mode: no journal change then). */
const sqliteSink = (filename, { readOnly = false } = {}) => {
  const Database = require('better-sqlite3');
  const db = new Database(filename, { readonly: readOnly });
  if (!readOnly) {
    db.pragma('journal_mode = DELETE');
    db.pragma('foreign_keys = OFF'); // better-sqlite3 turns them on; the loads are consistent by construction
    db.pragma('synchronous = OFF');
  }
  db.pragma('cache_size = -262144');
  db.pragma('temp_store = MEMORY');
  const saved = new Map();

  return {
    kind: 'sqlite',
    async columns(table) {
      return db.prepare(`pragma table_info('${table}')`).all().map((c) => c.name);
    },
    async exists(table) {
      return !!db.prepare("select 1 from sqlite_master where type='table' and name=?").get(table);
    },
    async exec(sql) {
      db.exec(sql);
    },
    async all(sql, params = []) {
      return db.prepare(sql).all(...params);
    },
    async dropIndexes(table) {
      const rows = db.prepare("select name, sql from sqlite_master where type='index' and tbl_name=? and sql is not null").all(table);
      saved.set(table, rows.map((r) => r.sql));
      for (const r of rows) db.exec(`drop index "${r.name}"`);
    },
    async restoreIndexes(table) {
      for (const sql of saved.get(table) ?? []) db.exec(sql);
      saved.delete(table);
    },
    /** `rows(push)` calls push(values) for each row; values in `columns` order. */
    async load(table, columns, rows, onProgress) {
      const stmt = db.prepare(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(',')}) values (${columns.map(() => '?').join(',')})`);
      let n = 0;
      db.exec('begin');
      try {
        await rows((values) => {
          for (let i = 0; i < values.length; i += 1) {
            const v = values[i];
            if (typeof v === 'boolean') values[i] = v ? 1 : 0;
            else if (v instanceof Date) values[i] = v.getTime();
          }
          stmt.run(values);
          n += 1;
          if ((n & 16383) === 0) onProgress(16384);
        });
        db.exec('commit');
      } catch (e) {
        db.exec('rollback');
        throw e;
      }
      onProgress(n & 16383);
      return n;
    },
    async finish() {
      db.pragma('synchronous = FULL');
    },
    async close() {
      db.close();
    },
    describe: () => path.relative(process.cwd(), filename),
  };
};

const escapeCopy = (v) => {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  if (v instanceof Date) return v.toISOString();
  return String(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
};

const pgSink = async (connection) => {
  const { Client } = require('pg');
  const { from: copyFrom } = require('pg-copy-streams');
  const client = new Client(connection);
  await client.connect();
  await client.query('set synchronous_commit = off');
  await client.query("set maintenance_work_mem = '512MB'");
  const saved = new Map();

  return {
    kind: 'postgres',
    async columns(table) {
      const { rows } = await client.query('select column_name from information_schema.columns where table_schema = current_schema() and table_name = $1', [table]);
      return rows.map((r) => r.column_name);
    },
    async exists(table) {
      const { rows } = await client.query('select to_regclass($1) as t', [table]);
      return rows[0].t !== null;
    },
    async exec(sql) {
      await client.query(sql);
    },
    async all(sql, params = []) {
      return (await client.query(sql, params)).rows;
    },
    async dropIndexes(table) {
      const cons = (
        await client.query(
          `select conname, pg_get_constraintdef(c.oid) as def from pg_constraint c
            where conrelid = $1::regclass and contype in ('u', 'f') order by contype desc`,
          [table]
        )
      ).rows;
      const idx = (
        await client.query(
          `select i.relname as name, pg_get_indexdef(ix.indexrelid) as def from pg_index ix
             join pg_class i on i.oid = ix.indexrelid
            where ix.indrelid = $1::regclass and not ix.indisprimary
              and not exists (select 1 from pg_constraint c where c.conindid = ix.indexrelid)`,
          [table]
        )
      ).rows;
      saved.set(table, { cons, idx });
      for (const c of cons) await client.query(`alter table "${table}" drop constraint "${c.conname}"`);
      for (const i of idx) await client.query(`drop index "${i.name}"`);
    },
    async restoreIndexes(table) {
      const s = saved.get(table);
      if (!s) return;
      // Indexes first, then unique constraints, then foreign keys (which use the others).
      for (const i of s.idx) await client.query(i.def);
      for (const c of [...s.cons].sort((a, b) => (a.def.startsWith('FOREIGN') ? 1 : 0) - (b.def.startsWith('FOREIGN') ? 1 : 0))) {
        await client.query(`alter table "${table}" add constraint "${c.conname}" ${c.def}`);
      }
      saved.delete(table);
    },
    async load(table, columns, rows, onProgress) {
      const stream = client.query(copyFrom(`copy "${table}" (${columns.map((c) => `"${c}"`).join(',')}) from stdin`));
      const done = new Promise((resolve, reject) => {
        stream.on('finish', resolve);
        stream.on('error', reject);
      });
      let buf = '';
      let n = 0;
      const flush = async () => {
        if (!stream.write(buf)) await new Promise((res) => stream.once('drain', res));
        buf = '';
      };
      const pending = [];
      await rows((values) => {
        let line = '';
        for (let i = 0; i < values.length; i += 1) line += (i ? '\t' : '') + escapeCopy(values[i]);
        buf += `${line}\n`;
        n += 1;
        if ((n & 16383) === 0) onProgress(16384);
        if (buf.length > 1 << 20) {
          pending.push(buf);
          buf = '';
          return true; // ask the producer to wait
        }
        return false;
      }, async () => {
        for (const b of pending.splice(0)) {
          if (!stream.write(b)) await new Promise((res) => stream.once('drain', res));
        }
      });
      pending.push(buf);
      for (const b of pending.splice(0)) {
        if (!stream.write(b)) await new Promise((res) => stream.once('drain', res));
      }
      void flush;
      stream.end();
      await done;
      onProgress(n & 16383);
      return n;
    },
    async finish(tables) {
      for (const t of tables) {
        await client.query(
          `select setval(pg_get_serial_sequence('"${t}"', 'id'), coalesce((select max(id) from "${t}"), 0) + 1, false)`
        );
      }
      await client.query('analyze');
    },
    async close() {
      await client.end();
    },
    describe: () => `postgres://${connection.host}:${connection.port}/${connection.database}`,
  };
};

/** LOAD DATA's default text format: tab-separated, `\\` escapes, `\\N` for NULL, 1/0, UTC datetimes. */
const escapeLoadData = (v) => {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') return String(v);
  if (v instanceof Date) return v.toISOString().slice(0, 23).replace('T', ' ');
  return String(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
};

/**
 * The secondary indexes and foreign keys of a table, as `SHOW CREATE TABLE` prints them (identifiers
 * in double quotes under ANSI_QUOTES, else backticks).
 */
const mysqlKeys = (createSql) => {
  const lines = createSql.split('\n').map((l) => l.trim().replace(/,$/, ''));
  return {
    indexes: lines.filter((l) => /^(UNIQUE |FULLTEXT |SPATIAL )?KEY [`"]/.test(l)).map((def) => ({ name: /KEY [`"]([^`"]+)[`"]/.exec(def)[1], def })),
    foreignKeys: lines.filter((l) => /^CONSTRAINT [`"][^`"]+[`"] FOREIGN KEY/.test(l)).map((def) => ({ name: /^CONSTRAINT [`"]([^`"]+)[`"]/.exec(def)[1], def })),
  };
};

/**
 * MySQL 8 / MariaDB: one connection with ANSI_QUOTES (the generator's and verifier's SQL quotes
 * identifiers with double quotes, as on the other databases), foreign key and unique checks off for
 * the session (the loads are consistent by construction, and the unique keys are rebuilt after),
 * and each table loaded by one LOAD DATA LOCAL INFILE statement streamed from memory (mysql2's
 * infileStreamFactory: no file on disk; the server must allow `local_infile`).
 */
const mysqlSink = async (connection) => {
  const mysql = require('mysql2/promise');
  const conn = await mysql.createConnection({ ...connection, charset: 'utf8mb4', timezone: 'Z', supportBigNumbers: true });
  await conn.query("set session sql_mode = concat(@@session.sql_mode, ',ANSI_QUOTES')");
  await conn.query('set session foreign_key_checks = 0, unique_checks = 0, time_zone = \'+00:00\'');
  const saved = new Map();
  // (Measured on MariaDB 10.11.19 with 2M messages: keeping the indexes for its bulk insert into an
  // empty table cost the server 50% more CPU than dropping them and rebuilding them after the load.)
  const [[{ v: version }]] = await conn.query('select version() as v');
  const showCreate = async (table) => (await conn.query(`show create table "${table}"`))[0][0]['Create Table'];

  return {
    kind: 'mysql',
    async columns(table) {
      const [rows] = await conn.query('select column_name as name from information_schema.columns where table_schema = database() and table_name = ?', [table]);
      return rows.map((r) => r.name);
    },
    async exists(table) {
      const [rows] = await conn.query('select 1 from information_schema.tables where table_schema = database() and table_name = ?', [table]);
      return rows.length > 0;
    },
    async exec(sql) {
      await conn.query(sql);
    },
    async all(sql, params = []) {
      return (await conn.query(sql, params))[0];
    },
    async dropIndexes(table) {
      const keys = mysqlKeys(await showCreate(table));
      if (!keys.indexes.length && /\bKEY\b/.test((await showCreate(table)).replace(/PRIMARY KEY/g, ''))) throw new Error(`${table}: could not read its keys`);
      saved.set(table, keys);
      // Foreign keys first: InnoDB keeps an index for each while the key exists.
      if (keys.foreignKeys.length) await conn.query(`alter table "${table}" ${keys.foreignKeys.map((k) => `drop foreign key "${k.name}"`).join(', ')}`);
      if (keys.indexes.length) await conn.query(`alter table "${table}" ${keys.indexes.map((k) => `drop index "${k.name}"`).join(', ')}`);
    },
    async restoreIndexes(table) {
      const keys = saved.get(table);
      if (!keys) return;
      // All indexes in one ALTER (one pass over the table, a sort per index); then the foreign keys,
      // which foreign_key_checks = 0 adds without checking the rows again.
      if (keys.indexes.length) await conn.query(`alter table "${table}" ${keys.indexes.map((k) => `add ${k.def}`).join(', ')}`);
      if (keys.foreignKeys.length) await conn.query(`alter table "${table}" ${keys.foreignKeys.map((k) => `add ${k.def}`).join(', ')}`);
      saved.delete(table);
    },
    async load(table, columns, rows, onProgress) {
      const stream = new PassThrough();
      const done = conn.query({
        sql: `load data local infile 'generated' into table "${table}" character set binary (${columns.map((c) => `"${c}"`).join(',')})`,
        infileStreamFactory: () => stream,
      });
      // If the statement fails early, nobody reads the stream: stop waiting for it to drain.
      let failed = null;
      done.catch((e) => { failed = e; stream.emit('drain'); });
      const write = async (chunk) => {
        if (!stream.write(chunk)) await new Promise((res) => stream.once('drain', res));
        if (failed) throw failed;
      };
      let buf = '';
      let n = 0;
      const pending = [];
      await rows((values) => {
        let line = '';
        for (let i = 0; i < values.length; i += 1) line += (i ? '\t' : '') + escapeLoadData(values[i]);
        buf += `${line}\n`;
        n += 1;
        if ((n & 16383) === 0) onProgress(16384);
        if (buf.length > 1 << 20) {
          pending.push(buf);
          buf = '';
          return true; // ask the producer to wait
        }
        return false;
      }, async () => {
        for (const b of pending.splice(0)) await write(b);
      });
      pending.push(buf);
      for (const b of pending.splice(0)) await write(b);
      stream.end();
      const [result] = await done;
      // LOAD DATA LOCAL turns row errors (bad values, duplicate keys) into warnings: fail on any.
      if (result.warningStatus) {
        const [warnings] = await conn.query('show warnings limit 5');
        throw new Error(`${table}: ${result.warningStatus} warning(s) loading: ${warnings.map((w) => w.Message).join('; ')}`);
      }
      onProgress(n & 16383);
      return n;
    },
    async finish(tables) {
      // Fresh statistics for the optimizer (InnoDB would recompute them in the background soon).
      for (const t of tables) await conn.query(`analyze table "${t}"`);
    },
    async close() {
      await conn.end();
    },
    /**
     * CPU seconds the database server has used so far, when it runs on this machine (its pid file
     * readable): with other work on the same cores, the load's CPU time says more than its wall time.
     */
    async serverCpuSeconds() {
      try {
        const [[{ f }]] = await conn.query('select @@pid_file as f');
        const pid = require('node:fs').readFileSync(f, 'utf8').trim();
        const stat = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100 Hz)
      } catch {
        return null;
      }
    },
    describe: () => `mysql://${connection.host}:${connection.port}/${connection.database} (${version})`,
  };
};

module.exports = { sqliteSink, pgSink, mysqlSink };
