'use strict';
/**
 * `node --expose-gc scripts/bench/attachments.js`: attachments on one instance (SQLite, the local
 * folder), the playground booted in this process on an ephemeral port:
 *  1. a 10 MB upload (a PDF, then a 10 MB JPEG that sharp re-encodes): the event loop's longest
 *     delay while it is taken, and the process's memory growth (heap + external after a GC, and RSS);
 *  2. 100 concurrent downloads of a 10 MB file (from a child process, so the clients do not share
 *     this event loop) against the inbox's latency (GET /threads), alone and during the downloads.
 * Prints JSON. Needs the plugin built (dist/) and the playground compiled (playground/dist: the tests' global setup).
 */
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');

const ROOT = path.resolve(__dirname, '..', '..');
const PLAYGROUND = path.join(ROOT, 'playground');
const MB = 1024 * 1024;

if (process.argv[2] === '--load') {
  // Child: N concurrent downloads of one URL, each read to the end; prints the total time.
  const [, , , port, url, jwt, n] = process.argv;
  const start = performance.now();
  let bytes = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: Number(port), path: url, headers: { authorization: `Bearer ${jwt}` } }, (res) => {
        res.on('data', (c) => (bytes += c.length));
        res.on('end', resolve);
        res.on('error', reject);
      }).on('error', reject);
    });
  Promise.all(Array.from({ length: Number(n) }, one)).then(() => {
    process.stdout.write(JSON.stringify({ ms: Math.round(performance.now() - start), bytes }));
  });
  return;
}

const request = (port, method, url, { jwt, body, headers = {} } = {}) =>
  new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers: { ...(jwt ? { authorization: `Bearer ${jwt}` } : {}), ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body) req.end(body);
    else req.end();
  });

const multipart = (name, type, content) => {
  const boundary = `----bench${Date.now()}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, content, tail]), type: `multipart/form-data; boundary=${boundary}` };
};

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
const memory = () => {
  global.gc?.();
  const m = process.memoryUsage();
  return { heapPlusExternal: m.heapUsed + m.external, rss: m.rss };
};

(async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pm-bench-attach-'));
  Object.assign(process.env, {
    DATABASE_CLIENT: 'sqlite',
    DATABASE_FILENAME: path.join(tmp, 'bench.db'),
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    CRON_ENABLED: 'false',
    PLAYGROUND_SEED: 'false',
    PM_JWT_MANAGEMENT: 'legacy-support',
    PM_ATTACHMENTS: JSON.stringify({ enabled: true, maxSize: 20 * MB, storage: { adapter: 'local', folder: path.join(tmp, 'files') } }),
  });
  const { createStrapi } = require('@strapi/strapi');
  const sharp = require('sharp');
  const app = createStrapi({ appDir: PLAYGROUND, distDir: path.join(PLAYGROUND, 'dist'), autoReload: false, serveAdminPanel: false });
  await app.load();
  await app.server.mount();
  await new Promise((resolve) => app.server.httpServer.listen(0, '127.0.0.1', resolve));
  const port = app.server.httpServer.address().port;
  const role = await app.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  for (const r of app.plugin('private-messages').routes['content-api'].routes) {
    await app.db.query('plugin::users-permissions.permission').create({ data: { action: `plugin::private-messages.${r.handler}`, role: role.id } });
  }
  await app.plugin('private-messages').service('settings').update({ rateLimit: { max: 0, windowSeconds: 60 } });
  const users = [];
  for (const name of ['ann', 'bob']) {
    const user = await app.plugin('users-permissions').service('user').add({ username: name, email: `${name}@bench.test`, password: 'Secret-pass-123', confirmed: true, provider: 'local', role: role.id });
    users.push({ id: user.id, jwt: app.plugin('users-permissions').service('jwt').issue({ id: user.id }) });
  }
  const [ann, bob] = users;
  // Some threads for the inbox to list.
  for (let i = 0; i < 30; i += 1) {
    await request(port, 'POST', '/api/private-messages/threads', { jwt: ann.jwt, body: JSON.stringify({ recipients: [{ type: 'user', id: bob.id }], body: `hello ${i}` }), headers: { 'content-type': 'application/json' } });
  }

  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * MB - 9, 'x')]);
  const jpeg = await sharp({ create: { width: 4000, height: 3000, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).jpeg({ quality: 100 }).toBuffer();

  const measureUpload = async (label, name, type, content) => {
    const form = multipart(name, type, content);
    await new Promise((r) => setTimeout(r, 200));
    const before = memory();
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const start = performance.now();
    const res = await request(port, 'POST', '/api/private-messages/attachments', { jwt: ann.jwt, body: form.body, headers: { 'content-type': form.type } });
    const ms = performance.now() - start;
    loop.disable();
    const after = memory();
    const data = JSON.parse(res.body.toString()).data;
    return {
      label,
      status: res.status,
      bytesIn: content.length,
      stored: data?.[0]?.size,
      ms: Math.round(ms),
      loopMaxMs: Math.round(loop.max / 1e5) / 10,
      loopP99Ms: Math.round(loop.percentile(99) / 1e5) / 10,
      heapPlusExternalGrowthMB: Math.round(((after.heapPlusExternal - before.heapPlusExternal) / MB) * 10) / 10,
      rssGrowthMB: Math.round(((after.rss - before.rss) / MB) * 10) / 10,
      id: data?.[0]?.id,
    };
  };
  // A first, small upload loads file-type and sharp (once per process), outside the measures.
  await measureUpload('warm-up', 'w.pdf', 'application/pdf', Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(1000, 'x')]));
  const uploads = [await measureUpload('10 MB PDF', 'big.pdf', 'application/pdf', pdf), await measureUpload(`${(jpeg.length / MB).toFixed(1)} MB JPEG`, 'big.jpg', 'image/jpeg', jpeg)];

  const file = uploads[0].id;
  await request(port, 'POST', '/api/private-messages/threads', { jwt: ann.jwt, body: JSON.stringify({ recipients: [{ type: 'user', id: bob.id }], body: 'the file', attachments: [file] }), headers: { 'content-type': 'application/json' } });

  const inboxLatencies = async (ms) => {
    const out = [];
    const until = performance.now() + ms;
    while (performance.now() < until) {
      const start = performance.now();
      await request(port, 'GET', '/api/private-messages/threads?limit=25', { jwt: bob.jwt });
      out.push(performance.now() - start);
    }
    return out;
  };
  const summary = (values) => ({ n: values.length, p50: Math.round(percentile(values, 50) * 10) / 10, p95: Math.round(percentile(values, 95) * 10) / 10 });
  const alone = summary(await inboxLatencies(5000));
  const child = spawn(process.execPath, [__filename, '--load', String(port), `/api/private-messages/attachments/${file}/content`, bob.jwt, '100'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const done = new Promise((resolve) => child.on('exit', resolve));
  const during = [];
  let finished = false;
  done.then(() => (finished = true));
  while (!finished) during.push(...(await inboxLatencies(250)));
  const downloads = JSON.parse(out || '{}');
  console.log(JSON.stringify({ uploads: uploads.map(({ id, ...u }) => u), inbox: { alone, duringDownloads: summary(during) }, downloads: { concurrent: 100, ...downloads, mbPerSecond: Math.round(downloads.bytes / MB / (downloads.ms / 1000)) } }, null, 2));
  await app.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
