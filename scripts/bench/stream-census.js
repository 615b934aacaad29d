#!/usr/bin/env node
'use strict';
/**
 * `node --expose-gc scripts/bench/stream-census.js [--streams 1000]`: what an idle stream keeps on
 * the server's heap. The playground (SQLite) is booted in this process; a child process opens the
 * streams (its objects are not on this heap); a heap snapshot is taken before and after, and the
 * difference is printed by constructor: count per stream and bytes per stream (self sizes).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const { spawn } = require('node:child_process');
const jwt = require('jsonwebtoken');

const ROOT = path.resolve(__dirname, '..', '..');
const PLAYGROUND = path.join(ROOT, 'playground');
const JWT_SECRET = process.env.JWT_SECRET ?? 'playground-users-permissions-jwt-secret';
const i = process.argv.indexOf('--streams');
const STREAMS = i >= 0 ? Number(process.argv[i + 1]) : 1000;
const r = process.argv.indexOf('--retainers');
const RETAINERS = r >= 0 ? process.argv[r + 1] : null;

/** For a sample of the nodes named `wanted` (as census names them), their retainer chains: what keeps them. */
const retainers = (file, wanted, sample = 16) => {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { node_fields: nf, edge_fields: ef, node_types: [types], edge_types: [etypes] } = snap.snapshot.meta;
  const W = nf.length;
  const E = ef.length;
  const [typeAt, nameAt, edgesAt] = ['type', 'name', 'edge_count'].map((f) => nf.indexOf(f));
  const [etAt, enAt, toAt] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f));
  const nameOf = (n) => {
    const type = types[snap.nodes[n + typeAt]];
    return type === 'object' || type === 'closure' ? `${type === 'closure' ? 'closure ' : ''}${snap.strings[snap.nodes[n + nameAt]]}` : `(${type})`;
  };
  const parents = new Map();
  let e = 0;
  for (let n = 0; n < snap.nodes.length; n += W) {
    const count = snap.nodes[n + edgesAt];
    for (let k = 0; k < count; k += 1, e += E) {
      const etype = etypes[snap.edges[e + etAt]];
      if (etype === 'weak') continue;
      const to = snap.edges[e + toAt];
      const label = etype === 'element' || etype === 'hidden' ? `[${snap.edges[e + enAt]}]` : snap.strings[snap.edges[e + enAt]];
      if (!parents.has(to)) parents.set(to, []);
      parents.get(to).push([n, label]);
    }
  }
  const picks = [];
  for (let n = 0; n < snap.nodes.length; n += W) if (nameOf(n) === wanted) picks.push(n);
  const chains = new Map();
  const step = Math.max(1, Math.floor(picks.length / sample));
  for (const start of picks.filter((_, k) => k % step === 0)) {
    const chain = [];
    let n = start;
    for (let depth = 0; depth < 8; depth += 1) {
      const up = (parents.get(n) ?? [])[0];
      if (!up) break;
      chain.push(`${up[1]} of ${nameOf(up[0])}`);
      n = up[0];
    }
    const key = chain.join(' <- ');
    chains.set(key, (chains.get(key) ?? 0) + 1);
  }
  for (const [key, count] of chains) console.log(`${count}x ${wanted} <- ${key}`);
};

/** Self size and count per constructor name, from a heap snapshot file. */
const census = (file) => {
  const snap = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { node_fields: fields, node_types: [types] } = snap.snapshot.meta;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map();
  for (let n = 0; n < snap.nodes.length; n += width) {
    const type = types[snap.nodes[n + typeAt]];
    const name = type === 'object' || type === 'closure' ? `${type === 'closure' ? 'closure ' : ''}${snap.strings[snap.nodes[n + nameAt]]}` : `(${type})`;
    const entry = out.get(name) ?? { count: 0, size: 0 };
    entry.count += 1;
    entry.size += snap.nodes[n + sizeAt];
    out.set(name, entry);
  }
  return out;
};

const CLIENT = `
const http = require('node:http');
const [port, n, ...tokens] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
let open = 0;
const one = (k) => new Promise((resolve, reject) => {
  http.get({ host: '127.0.0.1', port, path: '/api/private-messages/stream', agent, headers: { authorization: 'Bearer ' + tokens[k % tokens.length] } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (c) => { if (c.includes('unread-count') && !res.done) { res.done = true; resolve(); } });
  }).on('error', reject);
});
(async () => { for (let k = 0; k < Number(n); k += 50) await Promise.all(Array.from({ length: Math.min(50, Number(n) - k) }, (_, j) => one(k + j))); process.stdout.write('open\\n'); })();
`;

(async () => {
  const { compileStrapi, createStrapi } = require('@strapi/strapi');
  await compileStrapi({ appDir: PLAYGROUND, ignoreDiagnostics: true });
  const app = createStrapi({ appDir: PLAYGROUND, distDir: path.join(PLAYGROUND, 'dist'), autoReload: false, serveAdminPanel: false });
  await app.load();
  await app.server.mount();
  await new Promise((resolve) => app.server.httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = app.server.httpServer.address();
  const role = await app.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  const granted = new Set((await app.db.query('plugin::users-permissions.permission').findMany({ where: { role: role.id } })).map((p) => p.action));
  for (const r of app.plugin('private-messages').routes['content-api'].routes) {
    const action = `plugin::private-messages.${r.handler}`;
    if (!granted.has(action)) await app.db.query('plugin::users-permissions.permission').create({ data: { action, role: role.id } });
  }
  const stamp = Date.now().toString(36);
  const tokens = [];
  for (let k = 0; k < 50; k += 1) {
    const u = await app.db.query('plugin::users-permissions.user').create({ data: { username: `c${stamp}_${k}`, email: `c${stamp}_${k}@bench.test`, confirmed: true, provider: 'local', role: role.id } });
    tokens.push((process.env.PM_JWT_MANAGEMENT ?? 'refresh') === 'refresh' ? jwt.sign({ userId: String(u.id), sessionId: 'bench', type: 'access' }, JWT_SECRET) : jwt.sign({ id: u.id }, JWT_SECRET));
  }
  const snapshot = (label) => {
    global.gc?.();
    global.gc?.();
    return v8.writeHeapSnapshot(path.join(os.tmpdir(), `stream-census-${process.pid}-${label}.heapsnapshot`));
  };
  // As many streams first: everything the first requests create once (lazily loaded modules, caches,
  // compiled code) is in `before`, and the difference is the second batch's alone.
  const warm = spawn(process.execPath, ['-e', CLIENT, String(port), String(STREAMS), ...tokens], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => warm.stdout.once('data', resolve));
  const before = snapshot('before');
  const client = spawn(process.execPath, ['-e', CLIENT, String(port), String(STREAMS), ...tokens], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => client.stdout.once('data', resolve));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const after = snapshot('after');
  const a = census(before);
  const b = census(after);
  const rows = [...b]
    .map(([name, { count, size }]) => ({ name, count: (count - (a.get(name)?.count ?? 0)) / STREAMS, size: (size - (a.get(name)?.size ?? 0)) / STREAMS }))
    .filter((r) => r.size > 16)
    .sort((x, y) => y.size - x.size);
  const total = rows.reduce((s, r) => s + r.size, 0);
  console.log(`${app.plugin('private-messages').service('stream').stats().streams} streams open; heap per stream (self sizes): ${(total / 1024).toFixed(2)} KB`);
  console.log('| constructor | per stream | bytes per stream |\n|---|---|---|');
  for (const r of rows.slice(0, 30)) console.log(`| ${r.name.replace(/\|/g, '/')} | ${r.count.toFixed(2)} | ${Math.round(r.size)} |`);
  if (RETAINERS) retainers(after, RETAINERS);
  fs.rmSync(before);
  fs.rmSync(after);
  warm.kill();
  client.kill();
  await app.destroy();
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
