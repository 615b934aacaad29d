import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { bootStrapi, type TestStrapi } from '../../helpers/strapi';
import { ROOT } from '../../helpers/paths';

const { buildDemo } = require(path.join(ROOT, 'scripts/build-demo.js'));

/**
 * The demo inbox's site: the demo built into the playground's public folder, the playground booted
 * in-process with its demo users and threads seeded (and `env`), listening on a free port.
 */
export const startDemoSite = async (env: Record<string, string> = {}): Promise<{ strapi: TestStrapi; baseUrl: string }> => {
  await buildDemo();
  const strapi = await bootStrapi({ PLAYGROUND_SEED: 'true', ...env });
  await new Promise<void>((resolve) => strapi.server.httpServer.listen(0, '127.0.0.1', resolve));
  return { strapi, baseUrl: `http://127.0.0.1:${(strapi.server.httpServer.address() as AddressInfo).port}` };
};
