'use strict';
/** Boots the playground app once (compiled TypeScript, plugin from dist/) so Strapi syncs its schema. */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const PLAYGROUND = path.join(ROOT, 'playground');
const PLAYGROUND_DIST = path.join(PLAYGROUND, 'dist');

const ensurePluginBuilt = () => {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'server', 'index.js'))) {
    throw new Error('The plugin is not built (dist/server/index.js missing): run `npm run build` first.');
  }
};

/** Compiles the playground and loads Strapi (schema sync), then runs `fn(strapi)` and destroys it. */
const withStrapi = async (fn, { compile = true } = {}) => {
  ensurePluginBuilt();
  process.env.LOG_LEVEL ??= 'error';
  process.env.PLAYGROUND_SEED = 'false';
  // The caller opens the database file itself after Strapi is gone: no checkpointing thread may hold it.
  process.env.SQLITE_CHECKPOINT_IN_WORKER ??= 'false';
  const { compileStrapi, createStrapi } = require('@strapi/strapi');
  if (compile) await compileStrapi({ appDir: PLAYGROUND, ignoreDiagnostics: true });
  const app = createStrapi({ appDir: PLAYGROUND, distDir: PLAYGROUND_DIST, autoReload: false, serveAdminPanel: false });
  // Strapi's own signal handlers call process.exit(); keep ours (the caller cleans up).
  for (const s of ['SIGINT', 'SIGTERM']) process.removeAllListeners(s);
  try {
    await app.load();
    for (const s of ['SIGINT', 'SIGTERM']) process.removeAllListeners(s);
    return await fn(app);
  } finally {
    await app.destroy().catch(() => {});
  }
};

module.exports = { ROOT, PLAYGROUND, PLAYGROUND_DIST, withStrapi };
