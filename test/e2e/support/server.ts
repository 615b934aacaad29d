import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createStrapi, type Core } from '@strapi/strapi';
import { PLAYGROUND, PLAYGROUND_DIST } from '../../helpers/paths';
import { prepareDatabase } from '../../helpers/strapi';

/**
 * A real Strapi for the browser tests: the playground app (this plugin from dist/, users-permissions,
 * email) in-process, serving the admin panel built by `strapi build`, listening on a free port, with
 * a database of its own (a new SQLite file, or a new PostgreSQL database with DATABASE_CLIENT=postgres).
 */
export type E2EServer = { strapi: Core.Strapi; baseUrl: string; stop: () => Promise<void> };


const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

export const startServer = async (): Promise<E2EServer> => {
  if (!fs.existsSync(path.join(PLAYGROUND_DIST, 'build', 'index.html'))) {
    throw new Error('The playground admin panel is not built (test/e2e/global-setup.ts builds it).');
  }
  const port = await freePort();
  Object.assign(process.env, {
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    PLAYGROUND_SEED: 'false',
    CRON_ENABLED: 'false',
    STRAPI_TELEMETRY_DISABLED: 'true',
  });
  const dropDatabase = await prepareDatabase('e2e');
  let app: Core.Strapi | undefined;
  try {
    app = createStrapi({ appDir: PLAYGROUND, distDir: PLAYGROUND_DIST, autoReload: false, serveAdminPanel: true });
    await app.load();
    await app.listen();
  } catch (error) {
    await app?.destroy().catch(() => {});
    await dropDatabase();
    throw error;
  }
  const strapi = app;
  return {
    strapi,
    baseUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await strapi.destroy();
      await dropDatabase();
    },
  };
};
