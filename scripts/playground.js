#!/usr/bin/env node
/**
 * `npm run playground`: builds the plugin and starts the playground Strapi app (SQLite, port 1337)
 * with demo users, threads and an admin account; their credentials are printed once it is up.
 * Notification emails are caught by a local SMTP server and written to playground/.tmp/mails/.
 * Extra arguments go to `strapi develop` (e.g. `npm run playground -- --no-build-admin`).
 * DATABASE_CLIENT=postgres or mysql (MySQL/MariaDB) runs it on that server instead, in the database
 * DATABASE_NAME (private_messages), created if missing; DATABASE_HOST, DATABASE_PORT, DATABASE_USERNAME
 * and DATABASE_PASSWORD default to 127.0.0.1:5432 postgres / 127.0.0.1:3306 root, no password.
 * PORT (1337) and HOST (0.0.0.0) move the server. NODE_ENV=production builds the admin panel and runs
 * `strapi start` instead (extra arguments then go nowhere). PLAYGROUND_BUILD=false skips building the
 * plugin and the demo (the tests, which build them first).
 *
 * Stopping this process stops the Strapi server it started, however it is asked to: Ctrl-C, a
 * SIGTERM or SIGHUP to it, or to the `npm run` above it (npm hands the signal to the shell it runs
 * the script in, which dies without passing it on: this process notices it lost that parent).
 */
const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const production = process.env.NODE_ENV === 'production';
const strapiBin = path.join(root, 'node_modules', '.bin', 'strapi');

if (!fs.existsSync(path.join(root, 'node_modules', '@strapi', 'strapi'))) run('npm', ['install', '--no-audit', '--no-fund']);
if (process.env.PLAYGROUND_BUILD !== 'false') {
  run('npm', ['run', 'build']);
  // The demo inbox at /messages/ (playground/public/messages), built on the typed client.
  run('node', ['scripts/build-demo.js']);
}

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
const mailCatcher = startMailCatcher({ port: smtpPort, dir: path.join(root, 'playground', '.tmp', 'mails') });

/** How long Strapi gets to close its connections once asked to stop, before it is killed. */
const STOP_GRACE_MS = 10_000;

const start = () => {
  if (production && !process.argv.includes('--no-build-admin')) {
    run(strapiBin, ['build'], { cwd: path.join(root, 'playground') });
  }
  const args = production ? ['start'] : ['develop', ...process.argv.slice(2)];
  // Its own process group: `strapi develop` forks a worker (and esbuild services), and stopping
  // means stopping all of them, not only the process this script knows.
  const child = spawn(strapiBin, args, {
    cwd: path.join(root, 'playground'),
    stdio: 'inherit',
    detached: true,
    env: { PLAYGROUND_SEED: 'true', SMTP_PORT: String(smtpPort), ...process.env },
  });
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  let stopping = false;
  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    signalGroup(signal);
    setTimeout(() => signalGroup('SIGKILL'), STOP_GRACE_MS).unref();
  };
  child.on('exit', (code) => {
    // Whatever the worker left behind (the group outlives a primary that died first).
    signalGroup('SIGKILL');
    mailCatcher.close();
    process.exit(code ?? (stopping ? 0 : 1));
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));
  // This script's own end (an error included) never leaves the server running on its own.
  process.on('exit', () => signalGroup('SIGKILL'));
  // Under `npm run`, a signal to npm reaches the shell between npm and this script, which dies of it
  // without passing it on; this script is then re-parented. That loss of its parent means: stop.
  if (process.env.npm_lifecycle_event) {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) stop('SIGTERM');
    }, 500).unref();
  }
};

ensureServerDatabase().then(start, (error) => {
  console.error(`Could not create the playground database: ${error.message}`);
  process.exit(1);
});
