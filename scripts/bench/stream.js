'use strict';
/**
 * `npm run bench -- --stream [--idle 10000] [--connected 1000] [--sends 200]`: the real-time stream on
 * one instance (SQLite), server in a child process (stream-server.js), clients here on raw
 * http connections:
 *  1. idle streams: the server's memory per stream (heap + buffers after a GC, and RSS) and its
 *     event loop's delay (p50/p99/max over 10 s) with `--idle` streams open;
 *  2. commit to client: with `--connected` streams open (one per user), `--sends` new threads,
 *     each from one user to another connected one: from the POST leaving here to the
 *     `message.created` arriving on the recipient's stream (an upper bound of commit → client),
 *     and from the POST's answer to the event.
 * Prints the figures; docs/benchmarks.md's *Real-time stream* targets record a run.
 */
const http = require('node:http');
const path = require('node:path');
const fs = require('node:fs');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const jwt = require('jsonwebtoken');

const ROOT = path.resolve(__dirname, '..', '..');
const PLAYGROUND = path.join(ROOT, 'playground');
const JWT_SECRET = process.env.JWT_SECRET ?? 'playground-users-permissions-jwt-secret';
const PORT = Number(process.env.BENCH_PORT ?? 1348);

const option = (argv, name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};

const startServer = async (idle) => {
  const file = path.join(PLAYGROUND, '.tmp', 'bench-stream.db');
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
  const child = spawn(process.execPath, ['--expose-gc', path.join(__dirname, 'stream-server.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      BENCH_PORT: String(PORT),
      DATABASE_CLIENT: 'sqlite',
      DATABASE_FILENAME: file,
      NODE_ENV: 'production',
      LOG_LEVEL: 'error',
      CRON_ENABLED: 'false',
      PLAYGROUND_SEED: 'false',
      PM_JWT_MANAGEMENT: 'legacy-support',
      PM_REALTIME: JSON.stringify({ maxStreams: Math.max(idle, 1000) + 10, maxStreamsPerUser: 100 }),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const answers = [];
  let onReady;
  const ready = new Promise((resolve, reject) => {
    onReady = resolve;
    child.once('exit', (code) => reject(new Error(`stream server exited (${code})`)));
  });
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const value = JSON.parse(line);
    if (value.ready) onReady();
    else answers.shift()?.(value);
  });
  await ready;
  const ask = (command) =>
    new Promise((resolve) => {
      answers.push(resolve);
      child.stdin.write(`${JSON.stringify(command)}\n`);
    });
  return { ask, stop: () => ask({ cmd: 'exit' }).catch(() => {}) };
};

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/** Opens a stream; `onEvent(name, data)` for each event. Resolves once the first unread-count came. */
const openStream = (token, onEvent) =>
  new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: PORT, path: '/api/private-messages/stream', agent, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
        res.setEncoding('utf8');
        let buffer = '';
        let opened = false;
        res.on('data', (chunk) => {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const name = /^event: (.*)$/m.exec(block)?.[1];
            if (!name) continue;
            const data = JSON.parse(/^data: (.*)$/m.exec(block)[1]);
            if (!opened && name === 'unread-count') {
              opened = true;
              resolve({ close: () => req.destroy() });
            }
            onEvent(name, data);
          }
        });
      }
    );
    req.on('error', reject);
  });

const post = (token, body) =>
  new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port: PORT, method: 'POST', path: '/api/private-messages/threads', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(text)) : reject(new Error(`POST /threads answered ${res.statusCode}: ${text}`))));
      }
    );
    req.on('error', reject);
    req.end(payload);
  });

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const fmt = (n, digits = 1) => Number(n).toFixed(digits);

const main = async (argv) => {
  const idle = option(argv, '--idle', 10000);
  const connected = option(argv, '--connected', 1000);
  const sends = option(argv, '--sends', 200);
  const { compileStrapi } = require('@strapi/strapi');
  await compileStrapi({ appDir: PLAYGROUND, ignoreDiagnostics: true });
  const server = await startServer(idle);
  try {
    const { ids } = await server.ask({ cmd: 'users', n: Math.max(connected, 2) });
    const token = (id) => jwt.sign({ id }, JWT_SECRET);

    // 1. Idle streams: spread over the users, up to 100 per user.
    const base = await server.ask({ cmd: 'measure', ms: 3000 });
    const idleStreams = [];
    await server.ask({ cmd: 'watch' });
    const openingStarted = performance.now();
    for (let i = 0; i < idle; i += 50) {
      const batch = [];
      for (let j = i; j < Math.min(idle, i + 50); j += 1) batch.push(openStream(token(ids[j % ids.length]), () => {}));
      idleStreams.push(...(await Promise.all(batch)));
    }
    const openingMs = performance.now() - openingStarted;
    const opening = await server.ask({ cmd: 'watched' });
    console.log(`opening: ${idle} streams in ${fmt(openingMs / 1000, 1)} s (target < 30 s); event loop meanwhile p99 ${fmt(opening.loopP99)} ms, max ${fmt(opening.loopMax)} ms (target: no stall over 50 ms)`);
    const loaded = await server.ask({ cmd: 'measure', ms: 10000 });
    const perStream = (loaded.heapUsed + loaded.external - base.heapUsed - base.external) / idle;
    const rssPerStream = (loaded.rss - base.rss) / idle;
    console.log(`idle: ${loaded.streams} streams; heap+buffers ${fmt(perStream / 1024, 2)} KB/stream, RSS ${fmt(rssPerStream / 1024, 2)} KB/stream (target ≤ 10 KB); event loop delay p50 ${fmt(loaded.loopP50)} ms, p99 ${fmt(loaded.loopP99)} ms, max ${fmt(loaded.loopMax)} ms (without streams: p99 ${fmt(base.loopP99)} ms)`);
    for (const s of idleStreams) s.close();
    await new Promise((r) => setTimeout(r, 2000));

    // 2. Commit to client, with one stream per user for `connected` users.
    // The event may arrive before the POST's answer names the message: arrival times are kept by id.
    const arrivals = new Map();
    const waiting = new Map();
    const streams = [];
    for (let i = 0; i < connected; i += 50) {
      const batch = [];
      for (let j = i; j < Math.min(connected, i + 50); j += 1) {
        batch.push(
          openStream(token(ids[j]), (name, data) => {
            if (name !== 'message.created' || arrivals.has(data.messageId)) return;
            arrivals.set(data.messageId, performance.now());
            waiting.get(data.messageId)?.();
          })
        );
      }
      streams.push(...(await Promise.all(batch)));
    }
    const fromSend = [];
    const fromAnswer = [];
    await server.ask({ cmd: 'watch' });
    for (let i = 0; i < sends; i += 1) {
      const from = ids[(2 * i) % connected];
      const to = ids[(2 * i + 1) % connected];
      const started = performance.now();
      const res = await post(token(from), { recipients: [{ type: 'user', id: to }], body: `bench ${i}` });
      const answered = performance.now();
      const messageId = res.data.message.id;
      if (!arrivals.has(messageId)) {
        await new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no event for message ${messageId}`)), 5000);
          waiting.set(messageId, () => {
            clearTimeout(timer);
            resolve();
          });
        });
        waiting.delete(messageId);
      }
      const arrived = arrivals.get(messageId);
      fromSend.push(arrived - started);
      fromAnswer.push(Math.max(0, arrived - answered));
    }
    const receiving = await server.ask({ cmd: 'watched' });
    console.log(`receiving: event loop during the sends p99 ${fmt(receiving.loopP99)} ms, max ${fmt(receiving.loopMax)} ms (target: no stall over 50 ms)`);
    const loop = await server.ask({ cmd: 'measure', ms: 3000 });
    console.log(`commit to client, ${streams.length} streams open: POST sent → event p50 ${fmt(percentile(fromSend, 50))} ms, p99 ${fmt(percentile(fromSend, 99))} ms; POST answered → event p50 ${fmt(percentile(fromAnswer, 50))} ms, p99 ${fmt(percentile(fromAnswer, 99))} ms (${sends} sends); event loop p99 afterwards ${fmt(loop.loopP99)} ms`);
    for (const s of streams) s.close();
  } finally {
    await server.stop();
  }
};

module.exports = { main };
