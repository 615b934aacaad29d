'use strict';
/**
 * `node --expose-gc scripts/bench/attachments.js`: attachments on one instance (SQLite, the local
 * folder), the playground booted in this process on an ephemeral port:
 *  1. a 10 MB upload (a PDF, then a JPEG that sharp re-encodes), sent from a child process that
 *     streams the file from disk, so every figure is the server's alone: the event loop's longest
 *     delay while it is taken, and this (the server's) process's memory: the growth that stays
 *     (heap + external, and RSS, each after a GC) and the highest it went during the upload
 *     (sampled every 5 ms, uncollected garbage included);
 *  2. 100 concurrent downloads of a 10 MB file (from a child process, so the clients do not share
 *     this event loop) against the inbox's latency (GET /threads), alone and during the downloads.
 * Prints JSON, with the machine's load averages before and after. Needs the plugin built (dist/) and
 * the playground compiled (playground/dist: the tests' global setup).
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

if (process.argv[2] === '--upload') {
  // Child: once told "go" on stdin, uploads one file as multipart (field `files`), streamed from
  // disk; prints the status, the time to the whole answer, and the answer.
  const [, , , port, jwt, file, name, type] = process.argv;
  const boundary = `----bench${Date.now()}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const length = head.length + fs.statSync(file).size + tail.length;
  process.stdin.once('data', () => {
    const start = performance.now();
    const req = http.request(
      { host: '127.0.0.1', port: Number(port), method: 'POST', path: '/api/private-messages/attachments', headers: { authorization: `Bearer ${jwt}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': length } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          process.stdout.write(JSON.stringify({ status: res.statusCode, ms: performance.now() - start, body: JSON.parse(Buffer.concat(chunks).toString()) }));
          process.exit(0);
        });
      }
    );
    req.on('error', (error) => {
      console.error(error);
      process.exit(1);
    });
    req.write(head);
    const body = fs.createReadStream(file);
    body.on('end', () => req.end(tail));
    body.pipe(req, { end: false });
  });
  process.stdout.write('ready\n');
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

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
/** Live memory: after a full GC, a pause for the freed buffers' accounting to catch up, and another GC. */
const memory = async () => {
  global.gc?.();
  await new Promise((r) => setTimeout(r, 100));
  global.gc?.();
  const m = process.memoryUsage();
  return { heapPlusExternal: m.heapUsed + m.external, rss: m.rss };
};
const toMB = (bytes) => Math.round((bytes / MB) * 10) / 10;
const load = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

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
  const loadBefore = load();
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

  const pdfFile = path.join(tmp, 'big.pdf');
  fs.writeFileSync(pdfFile, Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * MB - 9, 'x')]));
  const jpegFile = path.join(tmp, 'big.jpg');
  await sharp({ create: { width: 4000, height: 3000, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).jpeg({ quality: 100 }).toFile(jpegFile);
  const warmFile = path.join(tmp, 'w.pdf');
  fs.writeFileSync(warmFile, Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(1000, 'x')]));

  const measureUpload = async (label, file, name, type) => {
    const child = spawn(process.execPath, [__filename, '--upload', String(port), ann.jwt, file, name, type], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    const ready = new Promise((resolve) => child.stdout.on('data', (c) => ((out += c), out.startsWith('ready\n') && resolve())));
    const exited = new Promise((resolve) => child.on('close', resolve));
    await ready;
    out = '';
    await new Promise((r) => setTimeout(r, 200));
    const before = await memory();
    let peak = { heapPlusExternal: before.heapPlusExternal, rss: before.rss };
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = { heapPlusExternal: Math.max(peak.heapPlusExternal, m.heapUsed + m.external), rss: Math.max(peak.rss, m.rss) };
    }, 5);
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    child.stdin.write('go\n');
    await exited;
    loop.disable();
    clearInterval(sampler);
    const after = await memory();
    const res = JSON.parse(out);
    const data = res.body.data;
    return {
      label,
      status: res.status,
      bytesIn: fs.statSync(file).size,
      stored: data?.[0]?.size,
      ms: Math.round(res.ms),
      loopMaxMs: Math.round(loop.max / 1e5) / 10,
      loopP99Ms: Math.round(loop.percentile(99) / 1e5) / 10,
      retainedHeapPlusExternalMB: toMB(after.heapPlusExternal - before.heapPlusExternal),
      retainedRssMB: toMB(after.rss - before.rss),
      peakHeapPlusExternalMB: toMB(peak.heapPlusExternal - before.heapPlusExternal),
      peakRssMB: toMB(peak.rss - before.rss),
      id: data?.[0]?.id,
    };
  };
  // A first, small upload loads file-type and sharp (once per process), outside the measures.
  await measureUpload('warm-up', warmFile, 'w.pdf', 'application/pdf');
  const uploads = [
    await measureUpload('10 MB PDF', pdfFile, 'big.pdf', 'application/pdf'),
    await measureUpload('10 MB PDF (again)', pdfFile, 'big.pdf', 'application/pdf'),
    await measureUpload(`${(fs.statSync(jpegFile).size / MB).toFixed(1)} MB JPEG`, jpegFile, 'big.jpg', 'image/jpeg'),
  ];

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
  console.log(JSON.stringify({ load: { before: loadBefore, after: load() }, uploads: uploads.map(({ id, ...u }) => u), inbox: { alone, duringDownloads: summary(during) }, downloads: { concurrent: 100, ...downloads, mbPerSecond: Math.round(downloads.bytes / MB / (downloads.ms / 1000)) } }, null, 2));
  await app.destroy();
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
