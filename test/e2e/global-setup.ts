import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PLAYGROUND, PLAYGROUND_DIST, ROOT } from '../helpers/paths';

/**
 * Runs once per e2e run: checks the plugin is built, then builds the playground's admin panel
 * (`strapi build`, ~35 s) unless the one in playground/dist/build was built from this very
 * plugin build and playground config (their hash is kept next to it). E2E_REBUILD_ADMIN=1 forces a build.
 */
const hashDir = (dir: string) => {
  const hash = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else hash.update(path.relative(dir, p)).update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return hash.digest('hex');
};

export default async function globalSetup() {
  const pluginAdmin = path.join(ROOT, 'dist', 'admin');
  if (!fs.existsSync(path.join(ROOT, 'dist', 'server', 'index.js')) || !fs.existsSync(pluginAdmin)) {
    throw new Error('The plugin is not built: run `npm run build` (npm run test:e2e does it first).');
  }
  const stampFile = path.join(PLAYGROUND_DIST, 'build', '.private-messages-admin-hash');
  const hash = crypto
    .createHash('sha256')
    .update(hashDir(pluginAdmin))
    .update(fs.readFileSync(path.join(PLAYGROUND, 'config', 'plugins.ts')))
    .update(fs.readFileSync(path.join(PLAYGROUND, 'package.json')))
    .digest('hex');
  const upToDate =
    process.env.E2E_REBUILD_ADMIN !== '1' &&
    fs.existsSync(path.join(PLAYGROUND_DIST, 'build', 'index.html')) &&
    fs.existsSync(stampFile) &&
    fs.readFileSync(stampFile, 'utf8') === hash;
  if (upToDate) return;

  const started = Date.now();
  process.stdout.write('\n[e2e] building the playground admin panel (strapi build)...\n');
  const result = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'strapi'), ['build'], {
    cwd: PLAYGROUND,
    stdio: 'inherit',
    env: { ...process.env, STRAPI_TELEMETRY_DISABLED: 'true' },
  });
  if (result.status !== 0) throw new Error(`strapi build failed (exit ${result.status})`);
  // `strapi build` leaves out, without a word, a plugin it cannot find: make sure this one is in.
  const entry = path.join(PLAYGROUND, '.strapi', 'client', 'app.js');
  if (!fs.existsSync(entry) || !fs.readFileSync(entry, 'utf8').includes('private-messages')) {
    throw new Error(`the admin panel was built without the private-messages plugin (see ${entry})`);
  }
  fs.writeFileSync(stampFile, hash);
  process.stdout.write(`[e2e] admin panel built in ${Math.round((Date.now() - started) / 1000)} s\n`);
}
