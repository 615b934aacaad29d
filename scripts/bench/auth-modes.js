#!/usr/bin/env node
'use strict';
/**
 * `node scripts/bench/auth-modes.js [--requests 2000] [--connections 10] [--rounds 2] [--skip-generate]`
 *
 * The per-request cost of users-permissions authentication in its two token modes, with the JWT
 * secret given as a string and as a KeyObject: the trivial authenticated route (`GET /api/bench/ping`)
 * and the heavy user's inbox, on a small SQLite data set (2,000 users, 5,000 threads, 50,000
 * messages). Each configuration is a server of its own (the playground, in-process Strapi with no
 * admin panel, in a child process); the configurations are measured in turns, `--rounds` times, as
 * the machine's throughput drifts over minutes. Also records the SQL each request runs in each mode.
 *
 * - legacy-support: `jwt.verify(token, jwtSecret)`, then the user with its role.
 * - refresh (fresh 5.54 apps): the session manager's `validateAccessToken` (the same jwt.verify with
 *   the same `jwtSecret`, no session lookup), then users-permissions looks the user up once to check
 *   it exists, then again with its role.
 *
 * Reports the server's CPU time per request (throughput too, which drifts when the machine is
 * shared) and prints a Markdown table for docs/benchmarks.md.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const autocannon = require('autocannon');
const jwt = require('jsonwebtoken');

const ROOT = path.resolve(__dirname, '..', '..');
const PLAYGROUND = path.join(ROOT, 'playground');
const JWT_SECRET = 'playground-users-permissions-jwt-secret';
const PORT = Number(process.env.BENCH_PORT ?? 1349);
const BASE = `http://127.0.0.1:${PORT}`;
const DB = { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: '.tmp/bench-auth.db' };
const MANIFEST = path.join(PLAYGROUND, '.tmp', 'bench-sqlite-auth.json');

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const o = { requests: arg('requests', 2000), connections: arg('connections', 10), rounds: arg('rounds', 2) };

const run = (cmd, args, env = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
};

const CONFIGS = [
  { key: 'legacy-string', mode: 'legacy-support', asString: true },
  { key: 'legacy-key', mode: 'legacy-support', asString: false },
  { key: 'refresh-string', mode: 'refresh', asString: true },
  { key: 'refresh-key', mode: 'refresh', asString: false },
];

const tokenFor = (mode, id) =>
  mode === 'refresh'
    ? jwt.sign({ userId: String(id), sessionId: 'bench', type: 'access' }, JWT_SECRET, { expiresIn: '1d' })
    : jwt.sign({ id }, JWT_SECRET, { expiresIn: '1d' });

const LAUNCHER = `
const { createStrapi } = require('@strapi/strapi');
const app = createStrapi({ appDir: ${JSON.stringify(PLAYGROUND)}, distDir: ${JSON.stringify(path.join(PLAYGROUND, 'dist'))}, autoReload: false, serveAdminPanel: false });
app.start().catch((e) => { console.error(e); process.exit(1); });
`;

const startServer = async (c) => {
  const child = spawn(process.execPath, ['-e', LAUNCHER], {
    cwd: PLAYGROUND,
    env: {
      ...process.env, ...DB, NODE_ENV: 'production', PM_BENCH: 'true', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(PORT),
      STRAPI_TELEMETRY_DISABLED: 'true', PLAYGROUND_SEED: 'false', CRON_ENABLED: 'false',
      PM_JWT_MANAGEMENT: c.mode, PM_JWT_SECRET_AS_STRING: String(c.asString), JWT_SECRET,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const deadline = Date.now() + 180000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${BASE}/_health`);
      if (r.status === 204 || r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error('server did not answer within 180 s');
    await new Promise((res) => setTimeout(res, 250));
  }
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((res) => child.once('exit', res));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((res) => setTimeout(res, 10000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  return { stop, pid: child.pid };
};

const get = async (url, token) => {
  const r = await fetch(`${BASE}${url}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, json: await r.json().catch(() => null) };
};

const queriesOf = async (url, token) => {
  await get(url, token);
  await fetch(`${BASE}/api/bench/record/start`, { method: 'POST' });
  await get(url, token);
  const r = await fetch(`${BASE}/api/bench/record/stop`, { method: 'POST' });
  return (await r.json()).data.map((q) => q.sql);
};

/** CPU time (user + system, ms) the server process has used: /proc/<pid>/stat, in clock ticks. */
const cpuMs = (pid) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime (USER_HZ = 100)
};

/**
 * A fixed number of requests (`--requests`) after a warm-up: the server's CPU time per request (robust
 * when other work shares the machine) and the throughput (which is not).
 */
const load = async (url, token, pid) => {
  const headers = { authorization: `Bearer ${token}` };
  await autocannon({ url: `${BASE}${url}`, connections: o.connections, amount: 200, headers });
  const before = cpuMs(pid);
  const r = await autocannon({ url: `${BASE}${url}`, connections: o.connections, amount: o.requests, headers });
  const cpu = cpuMs(pid) - before;
  return { rps: r.requests.average, p50: r.latency.p50, non2xx: r.non2xx, cpuPerRequest: cpu / r.requests.total };
};

const main = async () => {
  if (!process.argv.includes('--skip-generate')) {
    run(process.execPath, [path.join(ROOT, 'scripts', 'generate', 'index.js'), '--db', 'sqlite', '--users', '2000', '--threads', '5000',
      '--messages', '50000', '--baselines', 'none', '--fresh', '--manifest', MANIFEST], DB);
    run(process.execPath, [path.join(__dirname, 'grant.js')], DB);
  }
  const m = JSON.parse(fs.readFileSync(MANIFEST, 'utf8'));
  const H = m.heavyUser.id;
  const routes = { trivial: '/api/bench/ping', inbox: '/api/private-messages/threads' };
  const results = {};
  const sql = {};
  for (let round = 0; round < o.rounds; round += 1) {
    for (const c of CONFIGS) {
      const { stop, pid } = await startServer(c);
      try {
        const token = tokenFor(c.mode, H);
        for (const [name, url] of Object.entries(routes)) {
          const first = await get(url, token);
          if (first.status !== 200) throw new Error(`${c.key} ${url}: HTTP ${first.status} ${JSON.stringify(first.json)}`);
          if (round === 0 && !c.asString) sql[`${c.mode} ${name}`] = await queriesOf(url, token);
          const r = await load(url, token, pid);
          (results[`${c.key} ${name}`] ??= []).push(r);
          console.log(`round ${round + 1} ${c.key} ${name}: ${r.cpuPerRequest.toFixed(2)} ms CPU/request, ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}`);
        }
      } finally {
        await stop();
      }
    }
  }
  console.log('\nSQL per request (KeyObject runs):');
  for (const [k, qs] of Object.entries(sql)) console.log(`- ${k}: ${qs.length} queries\n${qs.map((q) => `    ${q.slice(0, 160)}`).join('\n')}`);
  const fmt = (k) => (results[k] ?? []).map((r) => r.cpuPerRequest.toFixed(2)).join(' / ');
  console.log(`\n| JWT secret | route | legacy-support (ms CPU/request) | refresh (ms CPU/request) |\n| --- | --- | --- | --- |`);
  for (const s of ['string', 'key']) {
    for (const name of Object.keys(routes)) {
      console.log(`| ${s === 'key' ? 'KeyObject' : 'string'} | ${name} | ${fmt(`legacy-${s} ${name}`)} | ${fmt(`refresh-${s} ${name}`)} |`);
    }
  }
};

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
