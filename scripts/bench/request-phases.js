#!/usr/bin/env node
'use strict';
/**
 * `node scripts/bench/request-phases.js [--requests 300] [--threads 60]` (DATABASE_CLIENT and its
 * settings as for the playground): where one request's time goes, for the trivial authenticated
 * route (`GET /api/bench/ping`), users-permissions' own `GET /api/users/me`, the inbox and the
 * unread count. The playground is booted in this process (no admin panel), requests are sent one
 * at a time, and each phase is timed by wrapping the function that does it:
 *
 * - jwt: users-permissions' `jwt.getToken` (verify; in refresh mode the session manager's check)
 * - user: `user.fetchAuthenticatedUser` (the user with their role)
 * - permissions: `permission.findRolePermissions` (the role's grants, read on every request)
 * - ability: the content API's `generateAbility` (a CASL ability, built on every request)
 * - handler: the route's controller action (ours: validation, the service, its SQL)
 * - other before the handler: the rest of the middleware chain and routing (incl. the advanced settings read)
 * - respond: from the middleware chain's end to the response's `finish` (JSON serialization, write)
 * - sql: the time knex waited for the database within the request (inside the phases above)
 *
 * Then a CPU profile (node:inspector) of the same requests, self time grouped by package.
 * Figures are means per request; on a shared machine read them as shares of the request, not as
 * absolute times. Prints Markdown tables.
 */
const http = require('node:http');
const path = require('node:path');
const inspector = require('node:inspector');
const { performance } = require('node:perf_hooks');
const jwt = require('jsonwebtoken');

const ROOT = path.resolve(__dirname, '..', '..');
const PLAYGROUND = path.join(ROOT, 'playground');
const JWT_SECRET = process.env.JWT_SECRET ?? 'playground-users-permissions-jwt-secret';
const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const REQUESTS = arg('requests', 300);
const THREADS = arg('threads', 60);
const PHASES = ['jwt', 'user', 'permissions', 'ability', 'other', 'handler', 'respond'];

const tokenFor = (id) =>
  (process.env.PM_JWT_MANAGEMENT ?? 'refresh') === 'refresh'
    ? jwt.sign({ userId: String(id), sessionId: 'bench', type: 'access' }, JWT_SECRET, { expiresIn: '1d' })
    : jwt.sign({ id }, JWT_SECRET, { expiresIn: '1d' });

let current = null;
/** Replaces `object[name]` with a version that adds its duration to the current request's `phase`. */
const timed = (object, name, phase) => {
  const original = object[name];
  object[name] = async function (...args) {
    const started = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      if (current) current[phase] += performance.now() - started;
    }
  };
};

const summarize = (profile) => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  // Native frames (no script) count for the nearest JavaScript caller's package.
  const urlOf = (node) => {
    for (let n = node; n; n = parent.get(n.id)) if (n.callFrame.url) return n.callFrame.url;
    return `(${node.callFrame.functionName || 'native'})`;
  };
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const node = byId.get(profile.samples[i]);
    if (['(idle)', '(program)'].includes(node.callFrame.functionName)) continue;
    const url = urlOf(node);
    const key = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/dist/server') ? 'the plugin' : url.startsWith('node:') ? 'node core' : url.startsWith('(') ? url : 'other');
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, ms]) => ({ k, share: ms / total }));
};

(async () => {
  const { compileStrapi, createStrapi } = require('@strapi/strapi');
  await compileStrapi({ appDir: PLAYGROUND, ignoreDiagnostics: true });
  const app = createStrapi({ appDir: PLAYGROUND, distDir: path.join(PLAYGROUND, 'dist'), autoReload: false, serveAdminPanel: false });
  // The routes take their controller actions at bootstrap: wrapped in between.
  await app.register();
  const up = app.plugin('users-permissions');
  timed(up.service('jwt'), 'getToken', 'jwt');
  timed(up.service('user'), 'fetchAuthenticatedUser', 'user');
  timed(up.service('permission'), 'findRolePermissions', 'permissions');
  timed(app.contentAPI.permissions.engine, 'generateAbility', 'ability');
  timed(app.plugin('private-messages').controller('threads'), 'find', 'handler');
  timed(app.plugin('private-messages').controller('unread-count'), 'count', 'handler');
  timed(up.controller('user'), 'me', 'handler');
  timed(app.controller('api::bench.bench'), 'ping', 'handler');
  await app.bootstrap();
  const pending = new Map();
  app.db.connection.on('query', (q) => pending.set(q.__knexQueryUid, performance.now()));
  app.db.connection.on('query-response', (_r, q) => {
    const started = pending.get(q.__knexQueryUid);
    pending.delete(q.__knexQueryUid);
    if (current && started !== undefined) current.sql += performance.now() - started;
  });
  app.server.app.middleware.unshift(async (ctx, next) => {
    const record = current;
    const started = performance.now();
    await next();
    const chained = performance.now();
    if (record) {
      record.chain = chained - started;
      ctx.res.once('finish', () => (record.respond = performance.now() - chained));
    }
  });
  await app.server.mount();
  await new Promise((resolve) => app.server.httpServer.listen(0, '127.0.0.1', resolve));

  const role = await app.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  const actions = [
    ...app.plugin('private-messages').routes['content-api'].routes.map((r) => `plugin::private-messages.${r.handler}`),
    'api::bench.bench.ping',
    'plugin::users-permissions.user.me',
  ];
  const granted = new Set((await app.db.query('plugin::users-permissions.permission').findMany({ where: { role: role.id } })).map((p) => p.action));
  for (const action of actions.filter((a) => !granted.has(a))) await app.db.query('plugin::users-permissions.permission').create({ data: { action, role: role.id } });
  await app.plugin('private-messages').service('settings').update({ rateLimit: { max: 0, windowSeconds: 60 } });
  const stamp = Date.now().toString(36);
  const users = [];
  for (let i = 0; i < 4; i += 1) {
    users.push(await app.db.query('plugin::users-permissions.user').create({ data: { username: `rp${stamp}_${i}`, email: `rp${stamp}_${i}@bench.test`, confirmed: true, provider: 'local', role: role.id } }));
  }
  const [reader, ...authors] = users;
  const messaging = app.plugin('private-messages').service('messaging');
  for (let i = 0; i < THREADS; i += 1) {
    await messaging.send({ author: authors[i % authors.length].id, recipients: [reader.id], subject: `phases ${i}`, body: `body ${i}` }, { bypassRules: true });
  }
  await app.plugin('private-messages').service('outbox').idle?.();

  const token = tokenFor(reader.id);
  const routes = {
    'trivial (/api/bench/ping)': '/api/bench/ping',
    'users-permissions /users/me': '/api/users/me',
    'inbox (/threads)': '/api/private-messages/threads',
    'unread count': '/api/private-messages/unread-count',
  };
  // node:http with keep-alive: the lightest client (its CPU is in this process's profile too).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const { port } = app.server.httpServer.address();
  const get = (url) =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: url, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        })
        .on('error', reject);
    });
  const run = async (url, n) => {
    const totals = { client: 0, sql: 0, chain: 0, respond: 0, ...Object.fromEntries(PHASES.map((p) => [p, 0])) };
    for (let i = 0; i < n; i += 1) {
      current = { sql: 0, chain: 0, respond: 0, ...Object.fromEntries(PHASES.map((p) => [p, 0])) };
      const started = performance.now();
      const status = await get(url);
      if (status !== 200) throw new Error(`${url} answered ${status}`);
      totals.client += performance.now() - started;
      await new Promise((r) => setImmediate(r));
      const r = current;
      r.other = r.chain - r.jwt - r.user - r.permissions - r.ability - r.handler;
      for (const k of Object.keys(r)) totals[k] += r[k];
    }
    current = null;
    return Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, v / n]));
  };

  for (const url of Object.values(routes)) await run(url, 30); // warm-up: JIT, caches, connections
  const results = {};
  for (const [name, url] of Object.entries(routes)) results[name] = await run(url, REQUESTS);

  const fmt = (v) => v.toFixed(2);
  console.log(`\nPer-request phases, ${app.db.dialect.client} (${process.env.PM_JWT_MANAGEMENT ?? 'refresh'} tokens), mean ms over ${REQUESTS} sequential requests, ${THREADS} threads in the inbox\n`);
  console.log(`| route | client round trip | ${PHASES.join(' | ')} | sql (within) |`);
  console.log(`|---|---|${PHASES.map(() => '---').join('|')}|---|`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`| ${name} | ${fmt(r.client)} | ${PHASES.map((p) => `${fmt(r[p])} (${Math.round((100 * r[p]) / (r.chain + r.respond))}%)`).join(' | ')} | ${fmt(r.sql)} |`);
  }

  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  for (const [name, url] of Object.entries(routes).slice(2)) {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 200 });
    await post('Profiler.start');
    await run(url, REQUESTS);
    const { profile } = await post('Profiler.stop');
    console.log(`\nCPU profile, ${name}: self time by package (top)\n`);
    console.log(`| package | share |\n|---|---|`);
    for (const { k, share } of summarize(profile)) console.log(`| ${k} | ${(100 * share).toFixed(1)}% |`);
  }
  session.disconnect();
  await app.destroy();
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
