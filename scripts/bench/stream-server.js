'use strict';
/**
 * The server side of `npm run bench -- --stream`: the playground booted in this process (SQLite,
 * legacy JWTs so the bench can sign them), listening on a port, driven by one-line JSON commands on
 * stdin, each answered with one line of JSON on stdout:
 *   {"cmd":"users","n":1000}   creates n users holding every plugin action -> {"ids":[...]}
 *   {"cmd":"measure","ms":5000} -> {heapUsed, external, rss, loopP50, loopP99, loopMax, streams} (after a GC,
 *                                  and the event loop's delay over `ms`)
 *   {"cmd":"watch"}            starts recording the event loop's delay -> {}
 *   {"cmd":"watched"}          stops it -> {loopP99, loopMax} (the longest stall since `watch`)
 *   {"cmd":"exit"}
 */
const path = require('node:path');
const readline = require('node:readline');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { createStrapi } = require('@strapi/strapi');

const playground = path.resolve(__dirname, '..', '..', 'playground');

(async () => {
  const app = createStrapi({ appDir: playground, distDir: path.join(playground, 'dist'), autoReload: false, serveAdminPanel: false });
  await app.load();
  await app.server.mount();
  await new Promise((resolve) => app.server.httpServer.listen(Number(process.env.BENCH_PORT), '127.0.0.1', resolve));
  const role = await app.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  const actions = app.plugin('private-messages').routes['content-api'].routes.map((r) => `plugin::private-messages.${r.handler}`);
  for (const action of actions) await app.db.query('plugin::users-permissions.permission').create({ data: { action, role: role.id } });
  // Senders rotate, but a benchmark should not trip the per-user rate limit.
  await app.plugin('private-messages').service('settings').update({ rateLimit: { max: 0, windowSeconds: 60 } });
  const answer = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
  answer({ ready: true });

  let watching = null;
  const commands = {
    async users({ n }) {
      const ids = [];
      const stamp = Date.now().toString(36);
      for (let i = 0; i < n; i += 1) {
        const user = await app.db
          .query('plugin::users-permissions.user')
          .create({ data: { username: `s${stamp}_${i}`, email: `s${stamp}_${i}@bench.test`, confirmed: true, provider: 'local', role: role.id } });
        ids.push(user.id);
      }
      return { ids };
    },
    async measure({ ms }) {
      global.gc?.();
      global.gc?.();
      const memory = process.memoryUsage();
      const histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      await new Promise((r) => setTimeout(r, ms));
      histogram.disable();
      return {
        heapUsed: memory.heapUsed,
        // arrayBuffers is a part of external (node's process.memoryUsage()).
        external: memory.external,
        rss: memory.rss,
        loopP50: histogram.percentile(50) / 1e6,
        loopP99: histogram.percentile(99) / 1e6,
        loopMax: histogram.max / 1e6,
        streams: app.plugin('private-messages').service('stream').stats().streams,
      };
    },
    async watch() {
      watching?.disable();
      watching = monitorEventLoopDelay({ resolution: 1 });
      watching.enable();
      return {};
    },
    async watched() {
      watching?.disable();
      const result = { loopP99: (watching?.percentile(99) ?? 0) / 1e6, loopMax: (watching?.max ?? 0) / 1e6 };
      watching = null;
      return result;
    },
    async exit() {
      await app.destroy();
      process.exit(0);
    },
  };

  let queue = Promise.resolve();
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    queue = queue.then(async () => {
      const command = JSON.parse(line);
      answer(await commands[command.cmd](command));
    });
  });
})().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
