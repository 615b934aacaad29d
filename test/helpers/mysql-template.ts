import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { createStrapi } from '@strapi/strapi';
import { mysqlAdmin } from './databases';
import { PLAYGROUND, PLAYGROUND_DIST, ROOT } from './paths';

/*
 * MySQL/MariaDB: each test file's database is a copy of a template that one boot migrated, instead
 * of a fresh database Strapi migrates itself. InnoDB runs Strapi's schema sync one DDL statement at
 * a time (~650 CREATE and ALTER TABLE, each a file operation and a commit): a fresh boot took 62 s
 * under load where a boot on an already-migrated database took 5 s. A copy is one CREATE TABLE and
 * one INSERT … SELECT per table. Strapi then finds its schema unchanged (strapi_database_schema)
 * and boots as it would on a restart, which is what the suite's second instances do anyway.
 *
 * The template is what a boot of this checkout's build writes with PLAYGROUND_SEED=false: its name
 * carries a hash of the checkout's path, of the plugin's server build and of the compiled
 * playground, so a rebuild makes a new one. The env a test file boots with (SMTP port) changes
 * nothing a boot writes. Jest workers build it once between them (a named lock); a run's
 * globalTeardown drops the checkout's templates of older builds (dropStaleTemplates).
 */

const READY_TABLE = 'pm_template_ready';
const sha = (...parts: (string | Buffer)[]) => parts.reduce((h, p) => h.update(p), crypto.createHash('sha256')).digest('hex');

/** Every file under dir, hashed (the compiled playground: config and src). */
const hashTree = (dir: string): string => {
  if (!fs.existsSync(dir)) return '';
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  return sha(
    ...entries
      .filter((e) => e.name !== 'build') // the admin panel's bundle, not read by the server
      .map((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? `${e.name}/${hashTree(p)}` : sha(e.name, fs.readFileSync(p));
      })
  );
};

const checkoutPrefix = () => `pm_tmpl_${sha(ROOT).slice(0, 8)}_`;
const templateName = () =>
  checkoutPrefix() + sha(fs.readFileSync(path.join(ROOT, 'dist', 'server', 'index.js')), hashTree(PLAYGROUND_DIST)).slice(0, 12);

const rows = async (db: Knex, sql: string, bindings: readonly Knex.RawBinding[] = []) =>
  ((await db.raw(sql, bindings)) as [Record<string, unknown>[]])[0];

const tablesOf = async (admin: Knex, database: string) =>
  (
    await rows(admin, `select table_name as name from information_schema.tables where table_schema = ? and table_type = 'BASE TABLE'`, [
      database,
    ])
  )
    .map((r) => String(r.name))
    .filter((t) => t !== READY_TABLE);

/** Boots the playground once on a new database `name`, then marks it ready. */
const buildTemplate = async (admin: Knex, name: string) => {
  await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const saved = { DATABASE_NAME: process.env.DATABASE_NAME, PLAYGROUND_SEED: process.env.PLAYGROUND_SEED };
  Object.assign(process.env, { DATABASE_NAME: name, PLAYGROUND_SEED: 'false' });
  const app = createStrapi({ appDir: PLAYGROUND, distDir: PLAYGROUND_DIST, autoReload: false, serveAdminPanel: false });
  try {
    await app.load();
  } finally {
    await app.destroy().catch(() => {});
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  await admin.raw(`CREATE TABLE \`${name}\`.\`${READY_TABLE}\` (id int primary key)`);
};

/** Makes sure this build's template exists, building it under a server-wide lock if needed. */
const ensureTemplate = async (name: string) => {
  const admin = mysqlAdmin();
  try {
    const [{ got }] = await rows(admin, 'select get_lock(?, 600) as got', [name]);
    if (Number(got) !== 1) throw new Error(`could not lock the MySQL template ${name}`);
    try {
      const ready = await rows(admin, 'select 1 from information_schema.tables where table_schema = ? and table_name = ?', [name, READY_TABLE]);
      if (ready.length === 0) await buildTemplate(admin, name);
    } finally {
      await admin.raw('select release_lock(?)', [name]);
    }
  } finally {
    await admin.destroy();
  }
};

/** Fills the new, empty database `target` with a copy of the template (tables, keys, rows). */
export const copyTemplateInto = async (target: string) => {
  const template = templateName();
  await ensureTemplate(template);
  const db = knex({
    client: 'mysql2',
    connection: {
      host: process.env.DATABASE_HOST ?? '127.0.0.1',
      port: Number(process.env.DATABASE_PORT ?? 3306),
      user: process.env.DATABASE_USERNAME ?? 'root',
      password: process.env.DATABASE_PASSWORD ?? '',
      database: target,
      charset: 'utf8mb4',
    },
    // One connection: foreign_key_checks is per session, and tables are created before those they reference.
    pool: { min: 1, max: 1 },
  });
  try {
    await db.raw('set foreign_key_checks = 0');
    for (const table of await tablesOf(db, template)) {
      const [created] = await rows(db, `show create table \`${template}\`.\`${table}\``);
      // Unqualified names (the table's and those its foreign keys reference) resolve in `target`.
      await db.raw(String(created['Create Table']));
      await db.raw(`insert into \`${table}\` select * from \`${template}\`.\`${table}\``);
    }
  } finally {
    await db.destroy();
  }
};

/**
 * Drops this checkout's templates of other builds (jest's globalTeardown on MySQL). The current
 * build's stays for the next run, and for a run still going beside this one (`npm test` and
 * `npm run test:e2e` share it).
 */
export const dropStaleTemplates = async () => {
  const admin = mysqlAdmin();
  try {
    const current = templateName();
    const names = (await rows(admin, 'show databases')).map((r) => String(Object.values(r)[0]));
    for (const name of names.filter((n) => n.startsWith(checkoutPrefix()) && n !== current)) {
      await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    }
  } finally {
    await admin.destroy();
  }
};
