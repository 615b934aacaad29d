#!/usr/bin/env node
'use strict';
/**
 * strapi-private-messages import-drupal --source mysql://user:pass@host:3306/drupal [--dry-run]
 *     [--users email|username|<map.json>] [--users-map map.json] [--created-before DATE] [--trust-unconfirmed]
 *     [--variant auto|d6-1|d6-2|d7-1|d7-2] [--report report.json] [--unmatched null|skip] [--batch-size 500] [--no-verify]
 *
 * Run in the root of the Strapi app that has the plugin: it loads that app as `strapi console` does
 * (compileStrapi, in a child process, then createStrapi(...).load(), no HTTP server) and runs the
 * plugin's drupal-import service. Exit code 0: complete; 1: fatal error; 2: finished with unmatched users or reported losses.
 */
const fs = require('node:fs');
const path = require('node:path');
const { createRequire } = require('node:module');
const { execFileSync } = require('node:child_process');
const { createProgress } = require('./progress');

const USAGE = `Usage: strapi-private-messages import-drupal --source <mysql://…|postgres://…> [options]

Options:
  --source URL          the Drupal database (mysql://, mariadb:// or postgres://)
  --dry-run             read everything, write nothing, print what would be imported
  --users MODE          match Drupal accounts by "email" (default), "username", or a JSON file {"<uid>": <strapi user id>}
                        (by username only accounts the site vouches for: made by an admin, made before
                        --created-before, or listed in --users-map; any other holder of a Drupal username stops the run)
  --users-map FILE      a JSON file {"<uid>": <strapi user id> | null} taken before email or username matching
  --created-before DATE accounts made before DATE (ISO 8601) are ones you made or checked
  --trust-unconfirmed   by email, also match unconfirmed accounts and, on a site that does not confirm emails,
                        accounts made after the import first started (anyone could have registered the address)
  --variant V           auto (default), d6-1, d6-2, d7-1 or d7-2
  --unmatched POLICY    messages by Drupal users with no Strapi user: "null" (kept, no author; default) or "skip"
  --report FILE         write the full report as JSON
  --batch-size N        threads per transaction (default 500)
  --no-verify           skip the check against privatemsg's own queries
  --app-dir DIR         the Strapi app (default: the current directory)`;

const parseArgs = (argv) => {
  const [command, ...rest] = argv[0] && argv[0].startsWith('-') ? [undefined, ...argv] : argv;
  const options = { verify: true };
  const take = (i, name) => {
    if (i + 1 >= rest.length) throw new Error(`${name} needs a value`);
    return rest[i + 1];
  };
  for (let i = 0; i < rest.length; i += 1) {
    const [flag, inline] = rest[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : take(i++, flag));
    switch (flag) {
      case '--source': options.source = value(); break;
      case '--dry-run': options.dryRun = true; break;
      case '--users': options.users = value(); break;
      case '--users-map': options.usersMap = value(); break;
      case '--created-before': options.createdBefore = value(); break;
      case '--trust-unconfirmed': options.trustUnconfirmed = true; break;
      case '--variant': options.variant = value(); break;
      case '--unmatched': options.unmatched = value(); break;
      case '--report': options.report = value(); break;
      case '--batch-size': options.batchSize = Number(value()); break;
      case '--no-verify': options.verify = false; break;
      case '--app-dir': options.appDir = value(); break;
      case '--help': case '-h': options.help = true; break;
      default: throw new Error(`Unknown option ${rest[i]}`);
    }
  }
  if (options.help) return { command, options };
  if (command !== 'import-drupal') throw new Error(command ? `Unknown command "${command}"` : 'No command given');
  if (!options.source) throw new Error('--source is required');
  if (options.variant && !['auto', 'd6-1', 'd6-2', 'd7-1', 'd7-2'].includes(options.variant)) throw new Error(`Unknown --variant ${options.variant}`);
  if (options.unmatched && !['null', 'skip'].includes(options.unmatched)) throw new Error('--unmatched is "null" or "skip"');
  if (options.createdBefore !== undefined && Number.isNaN(new Date(options.createdBefore).getTime())) throw new Error(`--created-before "${options.createdBefore}" is not a date (e.g. 2026-11-30T18:00:00Z)`);
  if (options.batchSize !== undefined && !(Number.isInteger(options.batchSize) && options.batchSize > 0)) throw new Error('--batch-size is a positive integer');
  return { command, options };
};

/**
 * Compiles a TypeScript app as `strapi console` does (compileStrapi), in a child process: the
 * compiler takes a few hundred MB that the import's process would otherwise keep (measured on the
 * playground: 411 MB of RSS after compiling, 276 MB once loaded without it). Answers
 * `{ appDir, distDir }`.
 */
const compileApp = (appDir) => {
  const script = `require(${JSON.stringify(resolveStrapi(appDir))}).compileStrapi({ appDir: ${JSON.stringify(appDir)} })
    .then((c) => process.stdout.write('\\n' + JSON.stringify({ appDir: c.appDir, distDir: c.distDir })), (e) => { console.error(e); process.exit(1); })`;
  const out = execFileSync(process.execPath, ['-e', script], { cwd: appDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop());
};

const resolveStrapi = (appDir) => createRequire(path.join(appDir, 'package.json')).resolve('@strapi/strapi');

/** Loads the Strapi app in `appDir` without opening its HTTP port. */
const loadApp = async (appDir) => {
  const { createStrapi } = require(resolveStrapi(appDir));
  const cwd = process.cwd();
  const context = compileApp(appDir);
  process.chdir(appDir);
  try {
    const app = await createStrapi({ ...context, autoReload: false, serveAdminPanel: false }).load();
    // An import is not a server: no cron (the outbox's drains would send the site's pending emails,
    // the purge would delete, even in a dry run) and no real-time bus listening to other instances.
    app.cron.destroy();
    await app.plugin('private-messages')?.service('stream')?.stop();
    return app;
  } finally {
    process.chdir(cwd);
  }
};

const main = async () => {
  let parsed;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error.message}\n\n${USAGE}`);
    return 1;
  }
  if (parsed.options.help) {
    console.log(USAGE);
    return 0;
  }
  const { appDir = process.cwd(), report: reportFile, ...options } = parsed.options;
  let app;
  const progress = createProgress();
  try {
    app = await loadApp(path.resolve(appDir));
    const importer = app.plugin('private-messages')?.service('drupal-import');
    if (!importer) throw new Error('This Strapi app does not load the private-messages plugin');
    const report = await importer.run(options, (p) => progress.update(p));
    progress.end();
    for (const line of importer.summarize(report)) console.log(line);
    if (reportFile) fs.writeFileSync(path.resolve(reportFile), `${JSON.stringify(report, null, 2)}\n`);
    return importer.exitCodeOf(report);
  } catch (error) {
    progress.end();
    // A refusal that says why and what to do is printed as it is; anything else with its stack.
    const refusal = error && error.name === 'UnvouchedUsernames';
    console.error(`Import failed: ${refusal ? error.message : error && error.stack ? error.stack : error}`);
    return 1;
  } finally {
    if (app) await app.destroy().catch(() => {});
  }
};

main().then((code) => process.exit(code));
