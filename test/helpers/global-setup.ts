import fs from 'node:fs';
import { compileStrapi } from '@strapi/strapi';
import { PLAYGROUND, ROOT, TMP } from './paths';

/**
 * Runs once per `jest` run: checks the plugin is built (`pretest` builds it; Strapi silently
 * skips a plugin without dist/) and compiles the TypeScript playground app every test file boots.
 */
export default async function globalSetup() {
  if (!fs.existsSync(`${ROOT}/dist/server/index.js`)) {
    throw new Error('The plugin is not built: run `npm run build` (npm test does it in pretest).');
  }
  fs.mkdirSync(TMP, { recursive: true });
  await compileStrapi({ appDir: PLAYGROUND, ignoreDiagnostics: true } as Parameters<typeof compileStrapi>[0]);
}
