#!/usr/bin/env node
/*
 * Writes docs/openapi.json from the route table (server/src/contract). `--check` exits 1 when the
 * committed file differs instead of writing it. The TypeScript sources are bundled in memory with
 * esbuild (already installed with Strapi's build tools), dependencies left to node_modules.
 */
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..');
const TARGET = path.join(ROOT, 'docs/openapi.json');

const loadContract = () => {
  const entry = path.join(ROOT, 'server/src/contract/openapi.ts');
  const { outputFiles } = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    write: false,
  });
  const mod = new Module(entry, module);
  mod.filename = entry;
  mod.paths = Module._nodeModulePaths(path.dirname(entry));
  mod._compile(outputFiles[0].text, entry);
  return mod.exports;
};

const render = () => {
  const { version } = require(path.join(ROOT, 'package.json'));
  return `${JSON.stringify(loadContract().buildOpenApiDocument(version), null, 2)}\n`;
};

if (require.main === module) {
  const text = render();
  if (process.argv.includes('--check')) {
    const same = fs.existsSync(TARGET) && fs.readFileSync(TARGET, 'utf8') === text;
    if (!same) {
      console.error('docs/openapi.json is out of date: run `npm run openapi`');
      process.exit(1);
    }
    console.log('docs/openapi.json is up to date');
  } else {
    fs.writeFileSync(TARGET, text);
    console.log(`wrote ${path.relative(process.cwd(), TARGET)} (${Object.keys(JSON.parse(text).paths).length} paths)`);
  }
}

module.exports = { render, TARGET };
