#!/usr/bin/env node
/**
 * `npm run playground`: builds the plugin and starts the playground Strapi app (SQLite, port 1337)
 * with demo users, threads and an admin account; their credentials are printed once it is up.
 * Notification emails are caught by a local SMTP server and written to playground/.tmp/mails/.
 * Extra arguments go to `strapi develop` (e.g. `npm run playground -- --no-build-admin`).
 * DATABASE_CLIENT=postgres or mysql (MySQL/MariaDB) runs it on that server instead, in the database
 * DATABASE_NAME (private_messages), created if missing; DATABASE_HOST, DATABASE_PORT, DATABASE_USERNAME
 * and DATABASE_PASSWORD default to 127.0.0.1:5432 postgres / 127.0.0.1:3306 root, no password.
 */
const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (!fs.existsSync(path.join(root, 'node_modules', '@strapi', 'strapi'))) run('npm', ['install', '--no-audit', '--no-fund']);
run('npm', ['run', 'build']);
// The demo inbox at /messages/ (playground/public/messages), built on the typed client.
run('node', ['scripts/build-demo.js']);

/**
 * Strapi connects to an existing database on PostgreSQL and MySQL/MariaDB: create it if missing, with the
 * same defaults as playground/config/database.ts. MySQL: utf8mb4, or emoji and other 4-byte characters
 * cannot be stored (a server's default character set may be latin1 or utf8mb3).
 */
const ensureServerDatabase = async () => {
  const client = process.env.DATABASE_CLIENT;
  if (client !== 'postgres' && client !== 'mysql') return;
  const knex = require('knex');
  const name = process.env.DATABASE_NAME ?? 'private_messages';
  if (!/^\w+$/.test(name)) throw new Error(`DATABASE_NAME must be letters, digits and _ (got ${name})`);
  const mysql = client === 'mysql';
  const admin = knex({
    client: mysql ? 'mysql2' : 'pg',
    connection: {
      host: process.env.DATABASE_HOST ?? '127.0.0.1',
      port: Number(process.env.DATABASE_PORT ?? (mysql ? 3306 : 5432)),
      user: process.env.DATABASE_USERNAME ?? (mysql ? 'root' : 'postgres'),
      password: process.env.DATABASE_PASSWORD ?? '',
      ...(mysql ? { charset: 'utf8mb4' } : { database: 'postgres' }),
    },
    pool: { min: 0, max: 1 },
  });
  try {
    if (mysql) {
      await admin.raw(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    } else if ((await admin.raw('select 1 from pg_database where datname = ?', [name])).rows.length === 0) {
      await admin.raw(`CREATE DATABASE ${name}`);
    }
  } finally {
    await admin.destroy();
  }
};

// Notification emails go to a local catcher (see README: "Reading the playground's emails").
const { startMailCatcher } = require('./mail-catcher');
const smtpPort = Number(process.env.SMTP_PORT ?? 1025);
startMailCatcher({ port: smtpPort, dir: path.join(root, 'playground', '.tmp', 'mails') });

const start = () => {
  const child = spawn(path.join(root, 'node_modules', '.bin', 'strapi'), ['develop', ...process.argv.slice(2)], {
    cwd: path.join(root, 'playground'),
    stdio: 'inherit',
    env: { PLAYGROUND_SEED: 'true', SMTP_PORT: String(smtpPort), ...process.env },
  });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
};

ensureServerDatabase().then(start, (error) => {
  console.error(`Could not create the playground database: ${error.message}`);
  process.exit(1);
});
