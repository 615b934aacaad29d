#!/usr/bin/env node
'use strict';
/**
 * `node scripts/bench/merge.js <results.json>…`: the results of benchmark runs made side by side, one
 * database each (BENCH_RESULTS, see index.js), into one: docs/benchmarks-latest.md's generated parts,
 * docs/benchmarks.json and the chart. A database no file has keeps its figures from
 * docs/benchmarks.json when they are of the same size, dated by the run that measured them.
 */
const fs = require('node:fs');
const path = require('node:path');
const { writeDocs } = require('./report');

const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (files.length === 0) throw new Error('usage: node scripts/bench/merge.js <results.json>…');
const runs = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
const first = runs.reduce((a, b) => (a.startedAt <= b.startedAt ? a : b));
const merged = { ...first, dbs: {} };
for (const r of runs) for (const [db, v] of Object.entries(r.dbs)) if (!v.fromRunAt) merged.dbs[db] = r === first ? v : { ...v, runStartedAt: r.startedAt };
const committed = path.resolve(__dirname, '..', '..', 'docs', 'benchmarks.json');
if (fs.existsSync(committed)) {
  const previous = JSON.parse(fs.readFileSync(committed, 'utf8'));
  if (JSON.stringify(previous.options?.size) === JSON.stringify(merged.options.size)) {
    for (const [db, v] of Object.entries(previous.dbs)) if (!merged.dbs[db]) merged.dbs[db] = { ...v, fromRunAt: v.fromRunAt ?? previous.startedAt };
  }
}
const { summary, failed } = writeDocs(merged, { write: !process.argv.includes('--no-docs') });
console.log(summary);
if (failed) {
  console.log('\nFAILED: a hot query of the plugin sorts or scans more than its page (see the plans).');
  process.exit(1);
}
