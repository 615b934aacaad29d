'use strict';
/**
 * `npm pack` as on a fresh clone: the repository's own files (tracked, or new and not ignored) copied
 * to an empty folder without dist/, the dependencies linked in (an `npm install` would fetch the
 * same), and packed there, so the package's `prepack` must build what it ships. The tarball must
 * hold the built server, admin panel and client, the bin and docs/openapi.json.
 */
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const MUST_SHIP = ['dist/server/index.js', 'dist/admin/index.mjs', 'dist/client/index.js', 'bin/strapi-private-messages.js', 'docs/openapi.json'];

/** Packs a fresh copy of `root` into `dest` with `sh` (run.js's process runner); returns the tarball's path. */
const packFreshCopy = async (root, dest, sh) => {
  const copy = path.join(dest, 'fresh-clone');
  fs.rmSync(copy, { recursive: true, force: true });
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(root, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(copy, f));
  }
  if (fs.existsSync(path.join(copy, 'dist'))) throw new Error('the fresh copy has a dist/: is it tracked?');
  fs.symlinkSync(fs.realpathSync(path.join(root, 'node_modules')), path.join(copy, 'node_modules'));

  const out = await sh('pack', copy, 'npm', ['pack', '--json', '--pack-destination', dest]);
  // prepack's build writes to the same output: the JSON report is the last thing printed.
  const report = JSON.parse(out.slice(out.lastIndexOf('\n[\n') + 1))[0];
  const shipped = new Set(report.files.map((f) => f.path));
  const missing = MUST_SHIP.filter((f) => !shipped.has(f));
  if (missing.length) throw new Error(`npm pack on a fresh copy left out ${missing.join(', ')} (is prepack building dist/?)`);
  fs.rmSync(copy, { recursive: true, force: true });
  return path.join(dest, report.filename);
};

module.exports = { packFreshCopy };
