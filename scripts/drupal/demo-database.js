#!/usr/bin/env node
'use strict';
/**
 * `node scripts/drupal/demo-database.js [name]`: a Drupal 7 (privatemsg 7.x-2.x) database on this
 * machine's MariaDB (127.0.0.1:3306, root), filled by the tests' seeded generator, whose first five
 * accounts have the playground's demo users' emails (alice… erin @playground.test), for trying
 * docs/migrating-from-drupal.md on the playground:
 *   node scripts/drupal/demo-database.js drupal_demo
 *   cd playground && PLAYGROUND_SEED=true npm run import:drupal -- --source mysql://root@127.0.0.1:3306/drupal_demo
 * Drop it with `mariadb -h 127.0.0.1 -u root -e 'drop database drupal_demo'`.
 */
const path = require('node:path');
const swc = require('@swc/core');

// The generator is the tests' TypeScript: compiled on the fly.
require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformFileSync(filename, {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

const DEMO = ['alice', 'bob', 'carol', 'dave', 'erin'];

const main = async () => {
  const name = process.argv[2] ?? 'drupal_demo';
  process.env.JEST_WORKER_ID = 'demo';
  const helpers = path.join(__dirname, '..', '..', 'test', 'helpers');
  const { generateDrupal } = require(path.join(helpers, 'drupal-generator.ts'));
  const { createDrupalSource } = require(path.join(helpers, 'drupal-source.ts'));
  const data = generateDrupal('d7-2', { seed: 7, mailOf: (uid) => (uid - 2 < DEMO.length ? `${DEMO[uid - 2]}@playground.test` : `User${uid}@Example.org`) });
  const source = await createDrupalSource('d7-2', data, name);
  console.log(`Created ${source.name}: ${data.messages.length} messages in ${new Set(data.rows.map((r) => r.thread_id)).size} threads`);
  console.log(`  --source ${source.url}`);
  await source.close();
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
