/**
 * A second Strapi instance in its own process, on the same database as the test's (the playground,
 * with the parent's environment). With `--listen` it also serves HTTP on a port of its own (GET
 * /stream included). With `--outbox-on-command` its outbox drains only when told to (no kick, no
 * cron): a test that races two instances' claims decides when each one looks. Says `ready <port> <stream instance id>` once booted (`ready 0 -` without
 * `--listen`), then runs the commands it reads on stdin, one a line, in order:
 * - `drain [<epoch ms>]`: drains the outbox (at that time, else now) and answers `drained <n>`;
 * - `exit`: stops the app and exits 0.
 * A test may also kill it at any moment, as a crashed instance.
 */
const path = require('node:path');
const readline = require('node:readline');
const { createStrapi } = require('@strapi/strapi');

const playground = path.resolve(__dirname, '..', '..', 'playground');
const listen = process.argv.includes('--listen');
const outboxOnCommand = process.argv.includes('--outbox-on-command');

(async () => {
  const app = createStrapi({ appDir: playground, distDir: path.join(playground, 'dist'), autoReload: false, serveAdminPanel: false });
  await app.load();
  let port = 0;
  if (listen) {
    await app.server.mount();
    await new Promise((resolve) => app.server.httpServer.listen(0, '127.0.0.1', resolve));
    port = app.server.httpServer.address().port;
  }
  const plugin = app.plugin('private-messages');
  // Stopped, the outbox still drains on an explicit call; the boot's kick has finished by then.
  if (outboxOnCommand) await plugin.service('outbox').stop();
  const streamInstance = listen ? plugin.service('stream').stats().instance : '-';
  process.stdout.write(`ready ${port} ${streamInstance}\n`);
  let queue = Promise.resolve();
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const [command, at] = line.trim().split(/\s+/);
    queue = queue.then(async () => {
      if (command === 'drain') {
        const drained = await plugin.service('outbox').drain(at ? new Date(Number(at)) : undefined);
        process.stdout.write(`drained ${drained}\n`);
      }
      if (command === 'exit') {
        await app.destroy();
        process.exit(0);
      }
    });
  });
})().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
