/**
 * Another Strapi instance in its own process, on the same database as the test's, driven over
 * stdin one command a line: `drain` drains the outbox now and answers `drained <n>`; `exit` stops
 * it. Says `ready` once booted. Unlike second-instance.js it stays up between drains, and a test
 * may kill it in the middle of one.
 */
const path = require('node:path');
const readline = require('node:readline');
const { createStrapi } = require('@strapi/strapi');

const playground = path.resolve(__dirname, '..', '..', 'playground');

(async () => {
  const app = createStrapi({ appDir: playground, distDir: path.join(playground, 'dist'), autoReload: false, serveAdminPanel: false });
  await app.load();
  const outbox = app.plugin('private-messages').service('outbox');
  process.stdout.write('ready\n');
  // One command at a time, in order.
  let queue = Promise.resolve();
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    queue = queue.then(async () => {
      if (line === 'drain') process.stdout.write(`drained ${await outbox.drain()}\n`);
      if (line === 'exit') {
        await app.destroy();
        process.exit(0);
      }
    });
  });
})().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
