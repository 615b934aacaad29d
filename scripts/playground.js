#!/usr/bin/env node
/**
 * `npm run playground`: builds the plugin and starts the playground Strapi app (SQLite, port 1337)
 * with demo users, threads and an admin account; their credentials are printed once it is up.
 * Notification emails are caught by a local SMTP server and written to playground/.tmp/mails/.
 * Extra arguments go to `strapi develop` (e.g. `npm run playground -- --no-build-admin`).
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

// Notification emails go to a local catcher (see README: "Reading the playground's emails").
const { startMailCatcher } = require('./mail-catcher');
const smtpPort = Number(process.env.SMTP_PORT ?? 1025);
startMailCatcher({ port: smtpPort, dir: path.join(root, 'playground', '.tmp', 'mails') });

const child = spawn(path.join(root, 'node_modules', '.bin', 'strapi'), ['develop', ...process.argv.slice(2)], {
  cwd: path.join(root, 'playground'),
  stdio: 'inherit',
  env: { PLAYGROUND_SEED: 'true', SMTP_PORT: String(smtpPort), ...process.env },
});
child.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
