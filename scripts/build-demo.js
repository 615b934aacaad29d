#!/usr/bin/env node
/*
 * Bundles the demo inbox (demo/inbox/src: React, on the typed client and its React bindings) into
 * playground/public/messages/app.js, which the playground's Strapi serves at /messages/, and copies
 * its service worker (demo/inbox/sw.js) next to it, so that the worker's scope is /messages/. React
 * is bundled in (no CDN); esbuild is already installed with Strapi's build tools.
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'playground/public/messages/app.js');
const SERVICE_WORKER = path.join(ROOT, 'playground/public/messages/sw.js');

const buildDemo = async () => {
  await fs.promises.copyFile(path.join(ROOT, 'demo/inbox/sw.js'), SERVICE_WORKER);
  return esbuild.build({
    entryPoints: [path.join(ROOT, 'demo/inbox/src/main.tsx')],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    bundle: true,
    format: 'iife',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    outfile: OUT,
    minify: true,
    sourcemap: false,
    logLevel: 'warning',
  });
};

if (require.main === module) {
  buildDemo().then(() => console.log(`built ${path.relative(process.cwd(), OUT)}`), (error) => {
    console.error(error);
    process.exit(1);
  });
}

module.exports = { buildDemo, OUT, SERVICE_WORKER };
