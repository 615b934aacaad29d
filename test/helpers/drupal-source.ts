import mysql from 'mysql2/promise';
// pg ships no types (and @types/pg is not a dependency): its Client is used untyped.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pg = require('pg') as { Client: new (options: object) => any };
import { drupalDdl, drupalPgDdlD7_2, type DrupalVariant } from './drupal-schema';
import type { DrupalData } from './drupal-generator';

/*
 * A Drupal database on this machine's MariaDB (127.0.0.1:3306, root), named
 * `drupal_test_<worker>_<variant>`, with privatemsg's DDL for the variant and generated data.
 */
const HOST = process.env.DRUPAL_MYSQL_HOST ?? '127.0.0.1';
const PORT = Number(process.env.DRUPAL_MYSQL_PORT ?? 3306);

export type DrupalSource = {
  name: string;
  url: string;
  query: <T = any>(sql: string, params?: unknown[]) => Promise<T[]>;
  drop: () => Promise<void>;
  /** Closes the connection, keeping the database. */
  close: () => Promise<void>;
};

const insertAll = async (conn: mysql.Connection, table: string, rows: Record<string, unknown>[]) => {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await conn.query(`insert into ${table} (${columns.join(', ')}) values ?`, [chunk.map((r) => columns.map((c) => r[c]))]);
  }
};

export const createDrupalSource = async (
  variant: DrupalVariant,
  data: DrupalData,
  name = `drupal_test_${process.env.JEST_WORKER_ID ?? '0'}_${process.pid}_${variant.replace('-', '_')}`
): Promise<DrupalSource> => {
  const admin = await mysql.createConnection({ host: HOST, port: PORT, user: 'root' });
  await admin.query(`drop database if exists \`${name}\``);
  await admin.query(`create database \`${name}\` character set utf8`);
  await admin.end();
  const conn = await mysql.createConnection({ host: HOST, port: PORT, user: 'root', database: name, charset: 'utf8mb4' });
  const d6one = variant === 'd6-1';
  for (const ddl of drupalDdl(variant)) await conn.query(ddl);
  await insertAll(conn, 'users', [{ uid: 0, name: '', mail: '' }, ...data.users].map((u) => ({ uid: u.uid, name: u.name, mail: u.mail, status: 1 })));
  await insertAll(conn, 'role', [{ rid: 1, name: 'anonymous user' }, { rid: 2, name: 'authenticated user' }, ...data.roles]);
  await insertAll(conn, 'users_roles', data.usersRoles);
  await insertAll(conn, 'variable', Object.entries(data.variables).map(([k, v]) => ({ name: k, value: v })));
  await insertAll(
    conn,
    'pm_message',
    data.messages.map(({ has_tokens, ...m }) => (variant.startsWith('d7') ? { ...m, has_tokens } : { ...m, format: m.format ?? 0 }))
  );
  await insertAll(
    conn,
    'pm_index',
    data.rows.map((r) => (d6one ? { mid: r.mid, thread_id: r.thread_id, uid: r.recipient, is_new: r.is_new, deleted: r.deleted } : r))
  );
  await insertAll(conn, 'pm_tags', data.tags.map((t) => (d6one ? { tag_id: t.tag_id, tag: t.tag } : t)));
  await insertAll(conn, 'pm_tags_index', data.tagIndex);
  await insertAll(conn, 'pm_block_user', data.blocks);
  if (variant === 'd7-2' || variant === 'd6-2') await insertAll(conn, 'pm_setting', data.settings);
  if (variant === 'd7-1' || variant === 'd6-2') await insertAll(conn, 'pm_disable', data.disabled.map((uid) => ({ uid })));
  if (variant === 'd7-1' || variant === 'd6-1') await insertAll(conn, 'pm_email_notify', data.emailNotify);
  return {
    name,
    url: `mysql://root@${HOST}:${PORT}/${name}`,
    query: async (sql, params = []) => (await conn.query(sql, params))[0] as any[],
    drop: async () => {
      await conn.query(`drop database if exists \`${name}\``);
      await conn.end();
    },
    close: () => conn.end(),
  };
};

/** A D7 2.x Drupal database on this machine's PostgreSQL (127.0.0.1:5432, postgres). */
export const createPgDrupalSource = async (data: DrupalData): Promise<DrupalSource> => {
  const name = `drupal_test_${process.env.JEST_WORKER_ID ?? '0'}_${process.pid}_pg_d7_2`;
  const connection = { host: process.env.DRUPAL_PG_HOST ?? '127.0.0.1', port: Number(process.env.DRUPAL_PG_PORT ?? 5432), user: 'postgres' };
  const admin = new pg.Client({ ...connection, database: 'postgres' });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const client = new pg.Client({ ...connection, database: name });
  await client.connect();
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${(n += 1)}`);
  };
  const insert = async (table: string, rows: Record<string, unknown>[]) => {
    for (const r of rows) {
      const columns = Object.keys(r);
      await client.query(`insert into ${table} (${columns.join(', ')}) values (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, columns.map((c) => r[c]));
    }
  };
  for (const ddl of drupalPgDdlD7_2()) await client.query(ddl);
  await insert('users', [{ uid: 0, name: '', mail: '' }, ...data.users].map((x) => ({ uid: x.uid, name: x.name, mail: x.mail, status: 1 })));
  await insert('role', [{ rid: 1, name: 'anonymous user' }, { rid: 2, name: 'authenticated user' }, ...data.roles]);
  await insert('users_roles', data.usersRoles);
  await insert('variable', Object.entries(data.variables).map(([k, v]) => ({ name: k, value: Buffer.from(v) })));
  await insert('pm_message', data.messages);
  await insert('pm_index', data.rows);
  await insert('pm_tags', data.tags);
  await insert('pm_tags_index', data.tagIndex);
  await insert('pm_block_user', data.blocks);
  await insert('pm_setting', data.settings);
  return {
    name,
    url: `postgres://postgres@${connection.host}:${connection.port}/${name}`,
    query: async (sql, params = []) => (await client.query(numbered(sql), params as unknown[])).rows,
    close: () => client.end(),
    drop: async () => {
      await client.end();
      const dropper = new pg.Client({ ...connection, database: 'postgres' });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
};
