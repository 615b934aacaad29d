import { execFileSync } from 'node:child_process';
import path from 'node:path';

/*
 * What `npm pack` (and `npm publish`) put in the package: a fresh clone has no dist/, so packing
 * builds it first; every file package.json points at is in it, and so is docs/openapi.json for
 * those who generate their own client. test/install/run.js packs a fresh copy and installs it.
 */

const ROOT = path.resolve(__dirname, '../..');
const pkg = require(path.join(ROOT, 'package.json'));

const packedFiles = (): string[] => {
  // --ignore-scripts: the list of what the package holds, without building again (dist/ is built).
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
};

/** Every file `exports` and `bin` name (the `source` conditions are for the repository only). */
const entryPoints = (): string[] => {
  const targets: string[] = [...Object.values(pkg.bin as Record<string, string>)];
  for (const entry of Object.values(pkg.exports as Record<string, string | Record<string, string>>)) {
    if (typeof entry === 'string') targets.push(entry);
    else for (const [condition, file] of Object.entries(entry)) if (condition !== 'source') targets.push(file);
  }
  return targets.map((t) => path.posix.normalize(t));
};

describe('the npm package', () => {
  it('builds dist/ before packing (prepack), so a fresh clone packs a working package', () => {
    expect(pkg.scripts.prepack).toBe('npm run build');
  });

  it('holds every file its exports and bin point at, and docs/openapi.json', () => {
    const files = packedFiles();
    for (const file of entryPoints()) expect([file, files.includes(file)]).toEqual([file, true]);
    expect(files).toContain('docs/openapi.json');
    expect(files).toContain('LICENSE');
    // Nothing of the repository's own: sources, tests, the playground.
    expect(files.filter((f) => /^(server|admin|client|test|playground|scripts|demo)\//.test(f))).toEqual([]);
  });
});
