/**
 * A second Strapi instance in its own process, on the same database as the test's: it boots the
 * playground, says "ready", waits for "go" on stdin, drains the outbox at the given time and exits.
 * argv[2]: the `now` (epoch ms) to drain at.
 */
const path = require('node:path');
const { createStrapi } = require('@strapi/strapi');

const playground = path.resolve(__dirname, '..', '..', 'playground');

(async () => {
  const app = createStrapi({ appDir: playground, distDir: path.join(playground, 'dist'), autoReload: false, serveAdminPanel: false });
  await app.load();
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const now = new Date(Number(process.argv[2]));
  let total = 0;
  for (let i = 0; i < 3; i += 1) total += await app.plugin('private-messages').service('outbox').drain(now);
  process.stdout.write(`drained ${total}\n`);
  await app.destroy();
  process.exit(0);
})().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
