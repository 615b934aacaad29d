#!/usr/bin/env node
'use strict';
/**
 * `npm run bench -- --stream`: the real-time stream instead (scripts/bench/stream.js).
 * `npm run bench -- --drupal-import`: the Drupal importer instead (scripts/bench/drupal-import.js).
 * `npm run bench -- --search`: message search in-process instead (scripts/bench/search.js).
 * `npm run bench [-- --quick | --full] [--db sqlite,postgres,mysql] [--duration 10] [--connections 10]
 *    [--messages N --threads N --users N] [--steps 10000,100000,...] [--skip-build] [--no-docs] [--reuse]
 *    [--short-writes]`
 *
 * Generates data sets (scripts/generate), builds the playground for production (`strapi build`) and
 * runs it (`strapi start`), then drives it on loopback with autocannon and measures, on each database:
 * the plugin's inbox (heavy and median user, by tag; the heavy user's archived, sent and all folders), thread view, unread count, replies in a 1:1 and
 * asks about a listing (scripts/bench/contexts.js: the seller's inbox, finding one's thread, new and reused asks),
 * a 1,000-member thread, a write to a role; and the baselines: a trivial authenticated route, the
 * same queries through knex in-process, the core REST API on the playground's own thread/message/
 * membership types, and Drupal privatemsg 7.x's schema with its own queries. Prints query plans and
 * fails (exit 1) when a hot query of the plugin sorts or scans more than its page. Writes
 * docs/benchmarks-latest.md, docs/benchmarks.json and docs/benchmarks-chart.svg.
 *
 * --quick: 2,000 users, 5,000 threads, 50,000 messages (steps 10k, 50k), 5 s per route: minutes.
 * default/--full: 10,000 users, 200,000 threads, 2,000,000 messages (steps 10k, 100k, 1M, 2M).
 * --reuse: keep the benchmark's databases of an earlier run (the generator empties their tables)
 * instead of dropping them: no schema creation (80 s per database on a loaded MariaDB).
 * --skip-generate: measure the data sets an earlier run of this database left (its manifests in
 * playground/.tmp), without generating them again.
 * --short-writes: --quick's write series (100 1:1 replies, 30 in the big thread) at any size, for a
 * machine so loaded that each reply takes a second.
 * Side by side, one database per process (on a machine shared with other work, each gets its own
 * share of the cores; the ratios are paired within each run): `strapi build` once, then per database
 * `BENCH_PORT=<port> BENCH_RESULTS=<file> PM_NO_COMPILE=true npm run bench -- --db <db> --skip-build
 * --no-docs`, and `node scripts/bench/merge.js <files…>` writes the docs from the results.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const autocannon = require('autocannon');
const jwt = require('jsonwebtoken');
const { sqliteSink, pgSink, mysqlSink } = require('../generate/sinks');
const { sqlitePlan, pgPlan, mysqlPlan, bindSqlite, bindPg } = require('./plans');
const { drupalQueries } = require('./drupal');
const { writeDocs } = require('./report');
const { contextRoutes, contextWrites } = require('./contexts');

const ROOT = path.resolve(__dirname, '..', '..');
const PLAYGROUND = path.join(ROOT, 'playground');
const STRAPI_BIN = path.join(ROOT, 'node_modules', '.bin', 'strapi');
const JWT_SECRET = process.env.JWT_SECRET ?? 'playground-users-permissions-jwt-secret';
const PORT = Number(process.env.BENCH_PORT ?? 1347);
const BASE = `http://127.0.0.1:${PORT}`;

const parseArgs = (argv) => {
  const o = { quick: false, dbs: ['sqlite', 'postgres'], duration: null, connections: 10, build: true, docs: true, fresh: true };
  const sizes = {};
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--quick') o.quick = true;
    else if (a === '--full') o.quick = false;
    else if (a === '--db') o.dbs = next().split(',');
    else if (a === '--duration') o.duration = Number(next());
    else if (a === '--connections') o.connections = Number(next());
    else if (a === '--skip-build') o.build = false;
    else if (a === '--no-docs') o.docs = false;
    else if (a === '--reuse') o.fresh = false;
    else if (a === '--short-writes') o.shortWrites = true;
    else if (a === '--skip-generate') o.generate = false;
    else if (a === '--messages') sizes.messages = Number(next());
    else if (a === '--threads') sizes.threads = Number(next());
    else if (a === '--users') sizes.users = Number(next());
    else if (a === '--steps') o.steps = next().split(',').map(Number);
    else throw new Error(`Unknown argument ${a}`);
  }
  const base = o.quick ? { users: 2000, threads: 5000, messages: 50000 } : { users: 10000, threads: 200000, messages: 2000000 };
  o.size = { ...base, ...sizes };
  o.duration ??= o.quick ? 5 : 10;
  o.steps ??= (o.quick ? [10000] : [10000, 100000, 1000000]).filter((s) => s < o.size.messages);
  return o;
};

const log = (...a) => console.log(...a);
// The machine may be shared: its load average goes next to the figures.
const loadavg = () => require('node:os').loadavg().map((x) => x.toFixed(2)).join(', ');
const load1 = () => Number(require('node:os').loadavg()[0].toFixed(2));
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
};

const dbEnv = (db, name) =>
  db === 'sqlite'
    ? { DATABASE_CLIENT: 'sqlite', DATABASE_FILENAME: `.tmp/bench-${name}.db` }
    : { DATABASE_CLIENT: db, DATABASE_NAME: `pm_bench_${name}` };

const generate = (o, db, name, size, baselines) => {
  const manifest = path.join(PLAYGROUND, '.tmp', `bench-${db}-${name}.json`);
  // --skip-generate: the data set an earlier run left, as its manifest describes it.
  if (o.generate === false && fs.existsSync(manifest)) return { ...JSON.parse(fs.readFileSync(manifest, 'utf8')), reused: true };
  const threads = size.threads ?? Math.max(100, Math.round(size.messages / 10));
  const users = size.users ?? Math.min(10000, Math.max(200, Math.round(threads / 20)));
  run(process.execPath, [
    path.join(ROOT, 'scripts', 'generate', 'index.js'),
    '--db', db, '--users', String(users), '--threads', String(threads), '--messages', String(size.messages),
    '--baselines', baselines, ...(o.fresh ? ['--fresh'] : []), '--manifest', manifest,
  ], { env: { ...process.env, ...dbEnv(db, name) } });
  return JSON.parse(fs.readFileSync(manifest, 'utf8'));
};

/**
 * PostgreSQL: VACUUM (ANALYZE) after the bulk load, as autovacuum would soon do on a live database:
 * until then no page is marked all-visible and no scan is index-only (measured against every table
 * alike: the plugin's, the core REST baseline's and privatemsg's).
 */
const vacuum = async (db, name) => {
  if (db !== 'postgres') return;
  const sink = await openSink(db, name);
  try {
    const s = performance.now();
    await sink.exec('vacuum (analyze)');
    log(`VACUUM (ANALYZE) in ${((performance.now() - s) / 1000).toFixed(1)} s`);
  } finally {
    await sink.close();
  }
};

const openSink = (db, name) => {
  if (db === 'sqlite') return sqliteSink(path.join(PLAYGROUND, '.tmp', `bench-${name}.db`), { readOnly: true });
  const connection = {
    host: process.env.DATABASE_HOST ?? '127.0.0.1', port: Number(process.env.DATABASE_PORT ?? (db === 'mysql' ? 3306 : 5432)),
    database: `pm_bench_${name}`, user: process.env.DATABASE_USERNAME ?? (db === 'mysql' ? 'root' : 'postgres'), password: process.env.DATABASE_PASSWORD ?? '',
  };
  return db === 'mysql' ? mysqlSink(connection) : pgSink(connection);
};

/** The plan checker of a database (plans.js). */
const planOf = (db) => ({ sqlite: sqlitePlan, postgres: pgPlan, mysql: mysqlPlan })[db];

// --- the server ----------------------------------------------------------------------------------
const startServer = async (db, name) => {
  const child = spawn(STRAPI_BIN, ['start'], {
    cwd: PLAYGROUND,
    // Telemetry off: with no route to Strapi's analytics, each of a server's first 1,000 API requests
    // opened a TLS connection that failed (5% of the CPU while the first routes were measured).
    env: { ...process.env, ...dbEnv(db, name), NODE_ENV: 'production', PM_BENCH: 'true', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(PORT), STRAPI_TELEMETRY_DISABLED: 'true' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // A first boot on a data set without its search index fills it before answering (minutes at 2M).
  const deadline = Date.now() + 600000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`strapi start exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${BASE}/_health`);
      if (r.status === 204 || r.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL'); // never left running behind the benchmark
      throw new Error('strapi start did not answer within 600 s');
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  return {
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((res) => child.once('exit', res));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((res) => setTimeout(res, 10000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
};

// The playground authenticates as a fresh Strapi 5.54 app does, in refresh mode (PM_JWT_MANAGEMENT,
// playground/config/plugins.ts): an access token as users-permissions' session manager signs it (it
// verifies the signature and `type`, not the session row); in legacy mode, `{ id }`.
const tokenFor = (id) =>
  (process.env.PM_JWT_MANAGEMENT ?? 'refresh') === 'refresh'
    ? jwt.sign({ userId: String(id), sessionId: 'bench', type: 'access' }, JWT_SECRET, { expiresIn: '1d' })
    : jwt.sign({ id }, JWT_SECRET, { expiresIn: '1d' });
const authHeaders = (id) => ({ authorization: `Bearer ${tokenFor(id)}`, 'content-type': 'application/json' });

const hit = async (method, url, id, body) => {
  const r = await fetch(`${BASE}${url}`, { method, headers: id ? authHeaders(id) : { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch {}
  return { status: r.status, json, text };
};

/** autocannon for `duration` seconds: requests per second and latencies (ms). */
const load = async (o, url, id, extra = {}) => {
  const first = await hit('GET', url, id);
  if (first.status !== 200) return { url, status: first.status, error: (first.json?.error?.message ?? first.text).slice(0, 200) };
  // Warm-up (JIT, caches), then the measured run.
  await autocannon({ url: `${BASE}${url}`, connections: extra.connections ?? o.connections, duration: 2, headers: authHeaders(id) });
  const r = await autocannon({ url: `${BASE}${url}`, connections: extra.connections ?? o.connections, duration: extra.duration ?? o.duration, headers: authHeaders(id) });
  return {
    url, status: 200, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, mean: r.latency.average, load1: load1(),
    non2xx: r.non2xx, errors: r.errors, bytes: Math.round(first.text.length),
  };
};

/** Waits (at most 60 s) until the trivial route answers within 50 ms: no backlog left from a load. */
// BENCH_SETTLE_MS: what "answers at once" means (50 ms); a machine under a load of 20 answers the
// trivial route in a second or more even when the server has no backlog.
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 50);
const settle = async (userId) => {
  const deadline = Date.now() + 60000;
  while (Date.now() < deadline) {
    const s = performance.now();
    const answered = await hit('GET', '/api/bench/ping', userId).then(() => true, () => false);
    if (answered && performance.now() - s < SETTLE_MS) return;
    await new Promise((res) => setTimeout(res, 200));
  }
};

const loop = async (reset = true) => (await hit('GET', `/api/bench/loop${reset ? '?reset=true' : ''}`)).json.data;

const record = async (method, url, id, body) => {
  // Warm first: the first request of a user or route loads permissions and settings into caches.
  if (method === 'GET') await hit(method, url, id);
  await hit('POST', '/api/bench/record/start');
  const res = await hit(method, url, id, body);
  const queries = (await hit('POST', '/api/bench/record/stop')).json.data;
  return { res, queries };
};

/** Queries of a route minus those of the trivial route (authentication), first occurrence each. */
const withoutAuth = (queries, auth) => {
  const pool = auth.map((q) => q.sql);
  return queries.filter((q) => {
    const i = pool.indexOf(q.sql);
    if (i >= 0) {
      pool.splice(i, 1);
      return false;
    }
    return /^\s*(select|with)\b/i.test(q.sql);
  });
};

/** Long IN lists shortened for printing. */
const shortSql = (sql) => sql.replace(/(\?|\$\d+)(, (\?|\$\d+)){5,}/g, (m) => `… ${m.split(',').length} parameters …`);

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};

/** Times `fn` (ms): median of `n` runs after a warm-up. */
const timeIt = async (fn, n = 50) => {
  for (let i = 0; i < 5; i += 1) await fn();
  const t = [];
  for (let i = 0; i < n; i += 1) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  return median(t);
};

const replay = (sink, db, queries) => async () => {
  for (const q of queries) await sink.all(q.sql, q.bindings.map(db === 'sqlite' ? bindSqlite : bindPg));
};

/** Outbox jobs not done yet (a reply to a big thread is delivered to its members by one). */
const pendingJobs = async () => (await hit('GET', '/api/bench/outbox')).json.data.pendingJobs;

/**
 * A series of sequential writes: latency median/max, and the event loop's worst delay during them
 * and the background work they leave (deliveries to big threads' members), which it waits for.
 */
const writes = async (n, fn) => {
  await loop(true);
  const lat = [];
  const statuses = {};
  for (let i = 0; i < n; i += 1) {
    const s = performance.now();
    const r = await fn(i);
    lat.push(performance.now() - s);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  }
  const s = performance.now();
  const deadline = Date.now() + 120000;
  while ((await pendingJobs()) > 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
  const backgroundMs = Math.round(performance.now() - s);
  const l = await loop(true);
  return { n, statuses, medianMs: median(lat), maxMs: Math.max(...lat), loopMaxMs: l.maxMs, loopP99Ms: l.p99Ms, backgroundMs, load1: load1() };
};

const tableCounts = async (sink) => {
  const out = new Map();
  for (const t of ['pm_context_asks', 'listings', 'listings_seller_lnk', 'pm_threads', 'pm_messages', 'pm_memberships', 'pm_tags', 'pm_memberships_tags_lnk', 'pm_blocks', 'up_users', 'up_users_role_lnk', 'up_roles', 'up_permissions', 'up_permissions_role_lnk', 'strapi_core_store_settings', 'threads', 'messages', 'memberships', 'memberships_user_lnk', 'memberships_thread_lnk', 'messages_thread_lnk', 'messages_author_lnk', 'threads_last_message_lnk', 'pm_index', 'pm_message']) {
    try {
      out.set(t, Number((await sink.all(`select count(*) as n from "${t}"`))[0].n));
    } catch {}
  }
  return out;
};

// --- one database --------------------------------------------------------------------------------
const benchDb = async (o, db) => {
  const out = { db, steps: [], routes: {}, floor: {}, rest: {}, drupal: {}, writes: {}, plans: [], failures: [] };
  out.load = { start: loadavg() };

  // Growth: the heavy user's inbox at smaller sizes (plugin data only).
  for (const messages of o.steps) {
    log(`\n=== ${db}: ${messages} messages (growth step) ===`);
    const m = generate(o, db, `s${messages}`, { messages }, 'none');
    if (!m.reused) await vacuum(db, `s${messages}`);
    // Granted again on a reused data set too: the run that generated it may have stopped before.
    grantAll(db, `s${messages}`);
    out.steps.push(await growthPoint(o, db, `s${messages}`, m));
  }

  log(`\n=== ${db}: ${o.size.messages} messages, ${o.size.threads} threads, ${o.size.users} users (main run) ===`);
  const m = generate(o, db, 'main', o.size, 'all');
  if (!m.reused) await vacuum(db, 'main');
  grantAll(db, 'main');
  out.manifest = m;
  const server = await startServer(db, 'main');
  try {
    const sink = await openSink(db, 'main');
    try {
      const counts = await tableCounts(sink);
      if (db !== 'sqlite') out.server = String((await sink.all('select version() as v'))[0].v).split(' ')[0];
      if (db === 'mysql') {
        // InnoDB caches pages in its own buffer pool only (O_DIRECT): its size decides what is read from disk.
        const [v] = await sink.all('select @@innodb_buffer_pool_size as pool, @@innodb_flush_method as flush');
        out.server += `, innodb_buffer_pool_size ${Math.round(Number(v.pool) / 1048576)} MB, ${v.flush}`;
      }
      const H = m.heavyUser.id;
      const MED = m.medianUser.id;
      const routes = {
        trivial: ['/api/bench/ping', H],
        inboxHeavy: ['/api/private-messages/threads', H],
        inboxMedian: ['/api/private-messages/threads', MED],
        inboxTag: [`/api/private-messages/threads?tag=${m.heavyTag?.id}`, H],
        // The heavy user's other folders, each one index range scan like the inbox.
        inboxArchived: ['/api/private-messages/threads?folder=archived', H],
        inboxSent: ['/api/private-messages/threads?folder=sent', H],
        inboxAll: ['/api/private-messages/threads?folder=all', H],
        threadView: [`/api/private-messages/threads/${m.oneToOne.thread}`, H],
        unreadHeavy: ['/api/private-messages/unread-count', H],
        unreadMedian: ['/api/private-messages/unread-count', MED],
        // Threads about a listing: the seller's inbox (50,000 asks) and finding one's thread about a listing.
        ...contextRoutes(m),
        restInboxHeavy: [restInbox(H), H],
        restInboxMedian: [restInbox(MED), MED],
        restUnreadHeavy: [restUnread(H), H],
      };
      // The SQL each route runs, for EXPLAIN and the in-process floor.
      const auth = (await record('GET', routes.trivial[0], H)).queries;
      const checkPlans = async (key, qs) => {
        for (const q of qs) {
          const p = await planOf(db)(sink, q, counts);
          out.plans.push({ route: key, sql: q.sql, ...p });
          if (p.problems.length) {
            out.failures.push({ route: key, sql: q.sql, problems: p.problems });
            log(`\n!!!!!!!! PLAN FAILURE (${key}) !!!!!!!!\n${shortSql(q.sql)}\n${p.plan}\n${p.problems.map((x) => `  -> ${x}`).join('\n')}\n`);
          }
        }
      };
      for (const [key, [url, id]] of Object.entries(routes)) {
        log(`-- ${key}: GET ${url.length > 100 ? `${url.slice(0, 100)}…` : url}`);
        // A server still working through the previous route's backlog (a loaded machine, the core
        // REST routes) may drop a connection: the route is recorded as failed, the run goes on.
        const rec = await record('GET', url, id).catch((e) => ({ error: e }));
        if (rec.error) {
          out.routes[key] = { url, status: 0, error: `no answer: ${rec.error.cause?.code ?? rec.error.message}` };
          log(`   ${out.routes[key].error}`);
          await settle(routes.trivial[1]).catch(() => {});
          continue;
        }
        // The machine's throughput drifts over minutes: each route is compared with the trivial
        // route measured right before it, not with one measurement at the start.
        const paired = key !== 'trivial' ? await load(o, routes.trivial[0], routes.trivial[1]) : null;
        const r = await load(o, url, id);
        // autocannon stops sending when its time is up, but the server still works through what
        // was sent (the core REST routes answer in seconds): the next measurement starts after.
        await settle(routes.trivial[1]);
        if (paired?.rps) r.trivialRps = paired.rps;
        out.routes[key] = r;
        log(r.rps ? `   ${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}${r.trivialRps ? ` (trivial route just before: ${r.trivialRps.toFixed(0)} req/s)` : ''}` : `   HTTP ${r.status}: ${r.error}`);
        if (key === 'trivial' || rec.res.status !== 200) continue;
        const qs = withoutAuth(rec.queries, auth);
        const floorMs = await timeIt(replay(sink, db, qs));
        out.floor[key] = { queries: qs.length, ms: floorMs, rps: 1000 / floorMs };
        log(`   in-process: ${qs.length} queries, ${floorMs.toFixed(3)} ms`);
        if (key.startsWith('rest')) continue;
        await checkPlans(key, qs);
      }

      // Drupal privatemsg 7.x: its own queries on its own tables, in-process.
      for (const [who, uid] of [['heavy', H], ['median', MED]]) {
        for (const [qname, q] of Object.entries(drupalQueries(uid))) {
          const runQ = async () => {
            let ids = null;
            for (const step of q) {
              const rows = await sink.all(step.sql(db, ids), step.params(ids));
              if (step.keep) ids = rows.map((r) => r.thread_id);
            }
          };
          const ms = await timeIt(runQ, who === 'heavy' ? 10 : 50);
          out.drupal[`${qname}_${who}`] = { ms };
          log(`-- privatemsg ${qname} (${who}): ${ms.toFixed(3)} ms`);
          if (who === 'heavy') {
            const step = q[0];
            const pq = { sql: step.sql(db, null), bindings: step.params(null) };
            const p = await planOf(db)(sink, pq, counts);
            out.plans.push({ route: `privatemsg ${qname} (baseline)`, sql: pq.sql, ...p, baseline: true });
          }
        }
      }

      // Asks about a listing (new and reused threads), with the plans of an ask's queries.
      await contextWrites(o, m, { hit, record, writes, withoutAuth, checkPlans, log }, out);

      // Writes, with the event loop's worst delay during each series.
      out.writes.idle = await (async () => { await loop(true); await new Promise((r) => setTimeout(r, 2000)); return loop(true); })();
      const body = (i) => ({ body: `Benchmark reply ${i}: lorem ipsum dolor sit amet.` });
      out.writes.reply1to1 = await writes(o.quick || o.shortWrites ? 100 : 300, (i) => hit('POST', `/api/private-messages/threads/${m.oneToOne.thread}/messages`, H, body(i)));
      log(`-- reply 1:1: ${JSON.stringify(out.writes.reply1to1)}`);
      out.writes.replyBig = await writes(o.quick || o.shortWrites ? 30 : 100, (i) => hit('POST', `/api/private-messages/threads/${m.bigGroup.thread}/messages`, H, body(i)));
      out.writes.replyBig.members = m.bigGroup.members;
      log(`-- reply in a ${m.bigGroup.members}-member thread: ${JSON.stringify(out.writes.replyBig)}`);
      const roleTry = await hit('POST', '/api/private-messages/threads', H, { recipients: [{ type: 'role', id: m.roleId }], subject: 'To everyone', body: 'Hello all' });
      if (roleTry.status === 201) {
        out.writes.role = await writes(3, (i) => hit('POST', '/api/private-messages/threads', H, { recipients: [{ type: 'role', id: m.roleId }], subject: `To everyone ${i}`, body: 'Hello all' }));
        out.writes.role.recipients = m.counts.users;
      } else {
        out.writes.role = { unsupported: true, status: roleTry.status, error: roleTry.json?.error ?? roleTry.text.slice(0, 300) };
      }
      log(`-- write to a role of ${m.counts.users} users: ${JSON.stringify(out.writes.role)}`);
      // A role message is a broadcast: a recipient's reply goes to the author alone, touching their
      // membership and the replier's, whatever the number of recipients. Measured against 1:1
      // replies taken right before it (the machine drifts over minutes).
      const roleThread = roleTry.json?.data?.thread?.id;
      if (roleThread) {
        out.writes.reply1to1Paired = await writes(o.quick || o.shortWrites ? 100 : 300, (i) => hit('POST', `/api/private-messages/threads/${m.oneToOne.thread}/messages`, H, body(i)));
        log(`-- reply 1:1, again: ${JSON.stringify(out.writes.reply1to1Paired)}`);
        out.writes.replyRoleRecipient = await writes(o.quick || o.shortWrites ? 100 : 300, (i) => hit('POST', `/api/private-messages/threads/${roleThread}/messages`, MED, body(i)));
        out.writes.replyRoleRecipient.recipients = m.counts.users;
        log(`-- a recipient's reply to the message to a role of ${m.counts.users} users: ${JSON.stringify(out.writes.replyRoleRecipient)}`);
      }
      // Message requests: a new thread to a stranger against one to a contact (scripts/bench/requests.js).
      out.requests = await require('./requests').strangerVsContact({ hit, sink, author: H, contactSender: MED, n: o.quick ? 40 : 100 });
      log(`-- new thread to a stranger vs to a contact: ${JSON.stringify(out.requests)}`);
    } finally {
      await sink.close();
    }
  } finally {
    await server.stop();
  }
  out.steps.push(await (async () => ({
    messages: m.counts.messages, threads: m.counts.threads, heavyThreads: m.heavyUser.inboxThreads,
    httpMs: out.routes.inboxHeavy.p50, httpMean: out.routes.inboxHeavy.mean, floorMs: out.floor.inboxHeavy?.ms, drupalMs: out.drupal.inbox_heavy?.ms, load1: out.routes.inboxHeavy.load1,
  }))());
  out.load.end = loadavg();
  return out;
};

const restInbox = (uid) =>
  `/api/memberships?filters[user][id][$eq]=${uid}&filters[inInbox][$eq]=true&sort[0]=lastActivityAt:desc&pagination[pageSize]=25` +
  '&fields[0]=unreadCount&fields[1]=lastActivityAt' +
  '&populate[thread][fields][0]=subject&populate[thread][fields][1]=isGroup&populate[thread][fields][2]=lastMessageAt' +
  '&populate[thread][populate][lastMessage][fields][0]=excerpt&populate[thread][populate][lastMessage][populate][author][fields][0]=username' +
  '&populate[thread][populate][memberships][fields][0]=inInbox&populate[thread][populate][memberships][populate][user][fields][0]=username';
const restUnread = (uid) => `/api/memberships?filters[user][id][$eq]=${uid}&filters[unreadCount][$gt]=0&fields[0]=unreadCount&pagination[pageSize]=1`;

/** Grants permissions with Strapi booted in-process (the server must not run: SQLite, one writer). */
const grantAll = (db, name) => {
  run(process.execPath, [path.join(__dirname, 'grant.js')], { env: { ...process.env, ...dbEnv(db, name), LOG_LEVEL: 'error' } });
};

const growthPoint = async (o, db, name, m) => {
  const server = await startServer(db, name);
  let sink = null;
  try {
    sink = await openSink(db, name);
    const url = '/api/private-messages/threads';
    const auth = (await record('GET', '/api/bench/ping', m.heavyUser.id)).queries;
    const rec = await record('GET', url, m.heavyUser.id);
    const r = await load(o, url, m.heavyUser.id);
    const floorMs = await timeIt(replay(sink, db, withoutAuth(rec.queries, auth)));
    const point = { messages: m.counts.messages, threads: m.counts.threads, heavyThreads: m.heavyUser.inboxThreads, httpMs: r.p50, httpMean: r.mean, rps: r.rps, floorMs, load1: r.load1 };
    log(`   heavy inbox at ${m.counts.messages} messages: HTTP mean ${r.mean} ms (${r.rps?.toFixed(0)} req/s), in-process ${floorMs.toFixed(3)} ms`);
    return point;
  } finally {
    await sink?.close();
    await server.stop();
  }
};

const main = async () => {
  const o = parseArgs(process.argv.slice(2));
  log(`Benchmark: ${JSON.stringify(o)}`);
  if (o.build) {
    run('npm', ['run', 'build']);
    run(STRAPI_BIN, ['build'], { cwd: PLAYGROUND, env: { ...process.env, NODE_ENV: 'production' } });
  }
  // BENCH_RESULTS: another file, for runs on several databases side by side (each with its own BENCH_PORT).
  const resultsFile = process.env.BENCH_RESULTS ?? path.join(ROOT, 'playground', '.tmp', 'bench-results.json');
  // The last run of this checkout of the same size, else the committed results (docs/benchmarks.json).
  const previous = [resultsFile, path.join(ROOT, 'docs', 'benchmarks.json')]
    .filter((f) => fs.existsSync(f))
    .map((f) => JSON.parse(fs.readFileSync(f, 'utf8')))
    .find((r) => JSON.stringify(r.options?.size) === JSON.stringify(o.size)) ?? null;
  const results = { startedAt: new Date().toISOString(), options: o, machine: { cpus: require('node:os').cpus().length, node: process.version }, dbs: {} };
  for (const db of o.dbs) {
    results.dbs[db] = await benchDb(o, db);
    fs.mkdirSync(path.join(ROOT, 'playground', '.tmp'), { recursive: true });
    fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  }
  // A run on one database keeps the other database's results of the same size from the last run,
  // dated by the run that measured them (not the one that last carried them over).
  if (previous && JSON.stringify(previous.options?.size) === JSON.stringify(o.size)) {
    for (const [db, r] of Object.entries(previous.dbs)) if (!results.dbs[db]) results.dbs[db] = { ...r, fromRunAt: r.fromRunAt ?? previous.startedAt };
  }
  fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  const { summary, failed } = writeDocs(results, { write: o.docs });
  log(`\n${summary}`);
  if (failed) {
    log('\nFAILED: a hot query of the plugin sorts or scans more than its page (see the plans above).');
    process.exit(1);
  }
};

if (require.main === module) {
  // `--stream`: the real-time stream's own benchmark (scripts/bench/stream.js).
  const run = process.argv.includes('--stream')
    ? () => require('./stream').main(process.argv.slice(2))
    : process.argv.includes('--drupal-import')
      ? () => require('./drupal-import').main()
      : process.argv.includes('--search')
        ? () => require('./search').main(process.argv.slice(2).filter((a) => a !== '--search'))
        : main;
  run().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
}
