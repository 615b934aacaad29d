'use strict';
/**
 * The install test's MySQL/MariaDB part: README.md's `config/database` snippets as written. The
 * TypeScript app is built (a new app's `strict` tsc) and started with README's `config/database.ts`
 * on a database of its own; README's `config/database.js` is loaded as Strapi loads a config file
 * and its pool is checked on a real connection (READ COMMITTED, utf8mb4).
 *
 * The server: DATABASE_HOST, DATABASE_PORT, DATABASE_USERNAME, DATABASE_PASSWORD (127.0.0.1:3306,
 * root, no password), as for the test suite.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const knex = require(path.join(ROOT, 'node_modules', 'knex'));
const { env } = require(path.join(ROOT, 'node_modules', '@strapi', 'utils'));

const server = {
  host: process.env.DATABASE_HOST ?? '127.0.0.1',
  port: Number(process.env.DATABASE_PORT ?? 3306),
  user: process.env.DATABASE_USERNAME ?? 'root',
  password: process.env.DATABASE_PASSWORD ?? '',
};

/** The .env lines that point an app's README config at `database`. */
const envLines = (database) =>
  [
    `DATABASE_HOST=${server.host}`,
    `DATABASE_PORT=${server.port}`,
    `DATABASE_NAME=${database}`,
    `DATABASE_USERNAME=${server.user}`,
    `DATABASE_PASSWORD=${server.password}`,
  ].join('\n');

const admin = () => knex({ client: 'mysql2', connection: { ...server, charset: 'utf8mb4' }, pool: { min: 0, max: 1 } });

/** A new, empty database named `name` (dropped first), as README says: utf8mb4. */
const recreateDatabase = async (name) => {
  const db = admin();
  try {
    await db.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    await db.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await db.destroy();
  }
};

const dropDatabase = async (name) => {
  const db = admin();
  try {
    await db.raw(`DROP DATABASE IF EXISTS \`${name}\``);
  } finally {
    await db.destroy();
  }
};

/**
 * Loads README's `config/database.js` (its lines, as written) with Strapi's `env` helper, opens a
 * pool with what it returns, and reads a pooled connection's isolation level and character set.
 */
const checkJsSnippet = async (lines, database) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pm-database-js-')), 'database.js');
  fs.writeFileSync(file, lines.join('\n'));
  const vars = Object.fromEntries(envLines(database).split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  let config;
  try {
    config = require(file)({ env });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  const { client, connection, pool } = config.connection;
  if (client !== 'mysql') throw new Error(`README config/database.js: client is ${client}, not mysql`);
  const db = knex({ client: 'mysql2', connection, pool });
  try {
    const [rows] = await db.raw('SELECT @@SESSION.tx_isolation AS isolation, @@character_set_connection AS charset');
    const { isolation, charset } = rows[0];
    if (isolation !== 'READ-COMMITTED') throw new Error(`README config/database.js: a pooled connection runs at ${isolation}, not READ-COMMITTED`);
    if (charset !== 'utf8mb4') throw new Error(`README config/database.js: a pooled connection's character set is ${charset}, not utf8mb4`);
    return { isolation, charset };
  } finally {
    await db.destroy();
  }
};

module.exports = { envLines, recreateDatabase, dropDatabase, checkJsSnippet };
