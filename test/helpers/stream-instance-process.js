/**
 * A second Strapi instance in its own process, on the same database as the test's, serving HTTP on
 * a port of its own (GET /stream included). Says `ready <port> <stream instance id>` once it
 * listens; `exit` on stdin stops it.
 */
const path = require('node:path');
const readline = require('node:readline');
const { createStrapi } = require('@strapi/strapi');

const playground = path.resolve(__dirname, '..', '..', 'playground');

(async () => {
  const app = createStrapi({ appDir: playground, distDir: path.join(playground, 'dist'), autoReload: false, serveAdminPanel: false });
  await app.load();
  await app.server.mount();
  await new Promise((resolve) => app.server.httpServer.listen(0, '127.0.0.1', resolve));
  const { instance } = app.plugin('private-messages').service('stream').stats();
  process.stdout.write(`ready ${app.server.httpServer.address().port} ${instance}\n`);
  readline.createInterface({ input: process.stdin }).on('line', async (line) => {
    if (line === 'exit') {
      await app.destroy();
      process.exit(0);
    }
  });
})().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
