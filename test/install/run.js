#!/usr/bin/env node
'use strict';
/**
 * `npm run test:install [-- --only ts|js] [--keep] [--work DIR]`
 *
 * Installs the packed plugin into brand-new Strapi 5.54 apps (TypeScript and JavaScript, side by
 * side) exactly as README.md's "Install it in your Strapi 5 app" section says: the commands and
 * snippets are read out of README.md (the fenced blocks after `<!-- install:NAME -->` markers), so
 * the test fails when the README is wrong. For each app:
 *
 *  1. `npx create-strapi-app@5.54.0` (`--no-install`: the README's one `npm install` installs the app's
 *     dependencies together with the plugin's tarball and the email provider, one install instead of two);
 *  2. the README's `npm install` (the plugin's name replaced by the tarball `npm pack` made);
 *  3. the README's keys added to the new app's config/plugins and config/server, the JWT key object,
 *     and the local SMTP variables in .env (pointed at an SMTP server this script runs);
 *  4. the README's build (`npm run build`), then `npm run start` on a free port (the JavaScript app
 *     on SQLite; the TypeScript app on MariaDB with README's mysql2 and `config/database.ts`, see
 *     mariadb.js, which also checks README's `config/database.js` on a real connection);
 *  5. as a site builder and two users would: registers the first admin, grants the Authenticated
 *     role the content-API actions of the README's permissions table (through users-permissions'
 *     admin API; every action the table names must exist), registers two users, logs one in,
 *     starts a thread, reads the other's inbox and unread count, waits for the notification email,
 *     reads the plugin's settings through the admin API (the README's configured values), and checks
 *     that the admin panel is served and its bundle holds the plugin's pages.
 *
 * Then the client in a fresh Vite + React front end against the first app (test/install/frontend.js;
 * `--no-front` skips it).
 * The tarball is packed from a fresh copy of the repository (fresh-pack.js): `prepack` builds it.
 *
 * --keep keeps the apps (and --work DIR reuses them: steps already done are skipped), for debugging.
 * Servers are killed and temporary directories removed on failure too (unless --keep).
 */
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { SMTPServer } = require('smtp-server');
const { frontend, shortenAccessTokens } = require('./frontend');
const mariadb = require('./mariadb');
const { packFreshCopy } = require('./fresh-pack');

const ROOT = path.resolve(__dirname, '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const PKG = require(path.join(ROOT, 'package.json'));
const CREATE = 'create-strapi-app@5.54.0';

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const opt = (name) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const FLAVOURS = opt('only') ? [opt('only')] : ['ts', 'js'];
const FRONT = flag('no-front') ? null : FLAVOURS[0];
const KEEP = flag('keep') || Boolean(opt('work'));
const WORK = opt('work') ? path.resolve(opt('work')) : fs.mkdtempSync(path.join(os.tmpdir(), 'pm-install-'));
fs.mkdirSync(WORK, { recursive: true });

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const log = (flavour, msg) => console.log(`[${elapsed().padStart(5)}] [${flavour}] ${msg}`);

// --- README -----------------------------------------------------------------------------------------
/** The fenced code block right after `<!-- install:NAME -->`, as lines. */
const block = (name) => {
  const m = README.match(new RegExp(`<!-- install:${name.replace('.', '\\.')} -->\\s*\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``));
  if (!m) throw new Error(`README.md has no code block marked <!-- install:${name} -->`);
  return m[1].split('\n');
};

/**
 * A config snippet `… => ({` / keys / `});`: its opener line, the lines before it (imports), and the
 * keys between the opener and the closing `});`.
 */
const configSnippet = (name) => {
  const lines = block(name);
  const open = lines.findIndex((l) => /=>\s*\(\{\s*$/.test(l));
  const close = lines.lastIndexOf('});');
  if (open < 0 || close < open) throw new Error(`README block ${name}: expected a \`… => ({\` … \`});\` function`);
  return { before: lines.slice(0, open).filter((l) => l.trim()), opener: lines[open], keys: lines.slice(open + 1, close) };
};

/** Adds the README's keys to an app's config file (the object its function returns). */
const addKeys = (file, { before = [], opener, keys }) => {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((l) => /=>\s*\(\{\s*$/.test(l));
  if (at < 0) throw new Error(`${file}: no \`=> ({\` line to add keys to`);
  // The README's opener (e.g. `({ env })` where a new JavaScript app has `()`), when it differs.
  if (opener) lines[at] = opener;
  lines.splice(at + 1, 0, ...keys);
  const missing = before.filter((l) => !lines.includes(l));
  fs.writeFileSync(file, [...missing, ...lines].join('\n'));
};

/** The JWT tip: its import/require goes to the top, its key next to `jwtManagement`. */
const addJwtKey = (file, name) => {
  const lines = block(name).filter((l) => l.trim() && !l.trim().startsWith('//'));
  const top = lines.filter((l) => /^(const|import)\b/.test(l));
  const keys = lines.filter((l) => !top.includes(l));
  const text = fs.readFileSync(file, 'utf8').split('\n');
  const at = text.findIndex((l) => l.includes('jwtManagement'));
  if (at < 0) throw new Error(`${file}: no jwtManagement line (is this a fresh 5.54 app?)`);
  text.splice(at + 1, 0, ...keys);
  fs.writeFileSync(file, [...top, ...text].join('\n'));
};

/** `.env` lines of a README block. */
const envBlock = (name) =>
  Object.fromEntries(block(name).filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));

/** The content-API actions of the README's permissions table (`ctrl.action`, `ctrl.*` with or without a list). */
const permissionRows = () => {
  const section = README.slice(README.indexOf('## Permissions'));
  const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---') && !l.startsWith('| privatemsg'));
  return rows
    .map((row) => {
      const [, name, grant] = row.split('|').map((c) => c.trim());
      const actions = [];
      // `threads.*` (find, findOne, …): the listed actions; a bare `tags.*`: every action of tags.
      for (const m of grant.matchAll(/`([a-z-]+)\.(\*|[a-zA-Z]+)`(?:\s*\(([^)]*)\))?/g)) {
        const [, ctrl, action, list] = m;
        if (action !== '*') actions.push([ctrl, action]);
        else if (list) for (const a of list.split(',').map((x) => x.trim())) actions.push([ctrl, a]);
        else actions.push([ctrl, '*']);
      }
      return { name, actions, contentApi: !grant.includes('RBAC') };
    })
    .filter((r) => r.contentApi && r.actions.length);
};

// --- processes --------------------------------------------------------------------------------------
const children = new Set();
const sh = (flavour, cwd, cmd, cmdArgs, { env = {}, quiet = true, out = [] } = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, cmdArgs, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.add(child);
    const collect = (d) => {
      out.push(d);
      if (!quiet) process.stdout.write(d);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) => {
      children.delete(child);
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(new Error(`[${flavour}] ${cmd} ${cmdArgs.join(' ')} exited with ${code}:\n${Buffer.concat(out).toString().slice(-4000)}`));
    });
  });

const killAll = () => {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL'); // its process group (npm → strapi)
    } catch {}
  }
};

const freePort = () =>
  new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });

// --- HTTP -------------------------------------------------------------------------------------------
const assert = (cond, msg) => {
  if (!cond) throw new Error(msg);
};

const http = (base) => async (method, url, { token, body, expect } = {}) => {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  if (expect && !expect.includes(res.status)) throw new Error(`${method} ${url}: HTTP ${res.status}, expected ${expect.join('/')}: ${text.slice(0, 500)}`);
  return { status: res.status, json, text };
};

// --- one app ----------------------------------------------------------------------------------------
const mail = { messages: [] };

const appDir = (flavour) => path.join(WORK, `app-${flavour}`);
/** The TypeScript app runs on MariaDB (README's config/database.ts), in a database of this run's own. */
const onMariadb = (flavour) => flavour === 'ts';
const DATABASE = `pm_install_${path.basename(WORK).replace(/\W/g, '_')}`.slice(0, 64);
const doneFile = (flavour, step) => path.join(appDir(flavour), `.install-test-${step}`);
const isDone = (flavour, step) => fs.existsSync(doneFile(flavour, step));
const mark = (flavour, step) => fs.writeFileSync(doneFile(flavour, step), '');

const create = async (flavour) => {
  if (isDone(flavour, 'created')) return;
  log(flavour, `npx ${CREATE} --${flavour}`);
  await sh(flavour, WORK, 'npx', ['--yes', CREATE, path.basename(appDir(flavour)), '--skip-cloud', '--no-run', `--${flavour}`, '--use-npm',
    '--skip-db', '--no-example', '--no-git-init', '--no-install', '--non-interactive'], { env: { STRAPI_TELEMETRY_DISABLED: 'true' } });
  mark(flavour, 'created');
};

const prepare = async (flavour, tarball) => {
  const dir = appDir(flavour);
  const ext = flavour; // config/plugins.ts or .js
  const done = (step) => doneFile(flavour, step);
  const mark = (step) => fs.writeFileSync(done(step), '');

  if (!fs.existsSync(done('installed'))) {
    const line = block('packages').find((l) => l.startsWith('npm install '));
    assert(line, 'README install:packages block: no `npm install` line');
    const pkgs = line.slice('npm install '.length).split(/\s+/).filter(Boolean);
    assert(pkgs.includes(PKG.name), `README's npm install line does not install ${PKG.name}`);
    // Every @strapi/* package at the app's Strapi version, as README says.
    const strapiVersion = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies['@strapi/strapi'];
    for (const p of pkgs.filter((name) => name.startsWith('@strapi/'))) {
      assert(p.endsWith(`@${strapiVersion}`), `README installs ${p}: not pinned to the app's @strapi/strapi ${strapiVersion}`);
    }
    // README's MySQL/MariaDB driver, in the same install (two README commands, one npm run).
    if (onMariadb(flavour)) pkgs.push(...block('mysql').find((l) => l.startsWith('npm install ')).slice('npm install '.length).split(/\s+/).filter(Boolean));
    const installArgs = ['install', '--no-audit', '--no-fund', ...pkgs.map((p) => (p === PKG.name ? tarball : p))];
    log(flavour, `npm ${installArgs.join(' ')}`);
    await sh(flavour, dir, 'npm', installArgs);
    mark('installed');
  }
  if (!fs.existsSync(done('configured'))) {
    log(flavour, 'README configuration: config/plugins, config/server, JWT key object, .env');
    addKeys(path.join(dir, 'config', `plugins.${ext}`), configSnippet(`plugins.${ext}`));
    addKeys(path.join(dir, 'config', `server.${ext}`), { keys: block('server') });
    addJwtKey(path.join(dir, 'config', `plugins.${ext}`), `jwt.${ext}`);
    if (flavour === FRONT) shortenAccessTokens(path.join(dir, 'config', `plugins.${ext}`));
    const env = { ...envBlock('env-local') };
    fs.appendFileSync(path.join(dir, '.env'), `\n# README: local SMTP\n${Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
    if (onMariadb(flavour)) {
      log(flavour, "README's config/database.ts (MariaDB), the whole file");
      fs.writeFileSync(path.join(dir, 'config', 'database.ts'), `${block('database.ts').join('\n')}\n`);
      fs.appendFileSync(path.join(dir, '.env'), `\n# README: MySQL/MariaDB\n${mariadb.envLines(DATABASE)}\n`);
    }
    mark('configured');
  }
  if (!fs.existsSync(done('built'))) {
    const line = block('build').find((l) => l.startsWith('npm run '));
    log(flavour, line);
    await sh(flavour, dir, 'npm', line.split(/\s+/).slice(1), { env: { STRAPI_TELEMETRY_DISABLED: 'true' } });
    mark('built');
  }
  return dir;
};

const start = async (flavour, dir, smtpPort) => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  log(flavour, `npm run start on ${base}`);
  fs.rmSync(path.join(dir, '.tmp'), { recursive: true, force: true }); // a fresh SQLite database each run
  if (onMariadb(flavour)) await mariadb.recreateDatabase(DATABASE); // and a fresh MariaDB one
  const out = [];
  const exited = sh(flavour, dir, 'npm', ['run', 'start'], {
    // As the README says, with the app's .env: only the port, the SMTP port (this script's server,
    // for the README's local settings) and telemetry differ. NODE_ENV stays unset, as a site builder
    // trying the app leaves it (with NODE_ENV=production, users-permissions' refresh cookie is
    // `secure` and logins over plain HTTP answer 500: the README says so).
    env: { HOST: '127.0.0.1', PORT: String(port), SMTP_PORT: String(smtpPort), STRAPI_TELEMETRY_DISABLED: 'true' },
    out,
  });
  let failed = null;
  exited.catch((e) => {
    failed = e;
  });
  const output = () => Buffer.concat(out).toString().slice(-3000);
  const deadline = Date.now() + 180000;
  for (;;) {
    if (failed) throw failed;
    try {
      const r = await fetch(`${base}/_health`);
      if (r.status === 204 || r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`[${flavour}] strapi start did not answer within 180 s:\n${output()}`);
    await new Promise((res) => setTimeout(res, 500));
  }
  return { base, output };
};

const use = async (flavour, dir, base) => {
  const req = http(base);
  const step = (msg) => log(flavour, msg);

  step('POST /admin/register-admin');
  const admin = await req('POST', '/admin/register-admin', {
    body: { firstname: 'Site', lastname: 'Builder', email: 'builder@example.test', password: 'Builder12345!' },
    expect: [200, 201],
  });
  const adminToken = admin.json.data.token;
  assert(adminToken, 'register-admin returned no token');

  step("grant the README's permissions to Authenticated (users-permissions admin API)");
  const roles = await req('GET', '/users-permissions/roles', { token: adminToken, expect: [200] });
  const authRole = roles.json.roles.find((r) => r.type === 'authenticated');
  const { role } = (await req('GET', `/users-permissions/roles/${authRole.id}`, { token: adminToken, expect: [200] })).json;
  const controllers = role.permissions['plugin::private-messages']?.controllers;
  assert(controllers, 'users-permissions lists no plugin::private-messages actions');
  const rows = permissionRows();
  assert(rows.length >= 4, `README permissions table: expected at least 4 content-API rows, found ${rows.length}`);
  const granted = [];
  for (const row of rows) {
    if (/deleted|roles/i.test(row.name)) continue; // the two privileged rows stay off, as for a member
    for (const [ctrl, action] of row.actions) {
      assert(controllers[ctrl], `README names controller ${ctrl}, which the plugin does not have`);
      const names = action === '*' ? Object.keys(controllers[ctrl]) : [action];
      for (const a of names) {
        assert(controllers[ctrl][a], `README names ${ctrl}.${a}, which the plugin does not have`);
        controllers[ctrl][a].enabled = true;
        granted.push(`${ctrl}.${a}`);
      }
    }
  }
  await req('PUT', `/users-permissions/roles/${authRole.id}`, {
    token: adminToken,
    body: { name: role.name, description: role.description, permissions: role.permissions, users: [] },
    expect: [200],
  });
  step(`granted ${granted.length} actions`);

  step('two users register (POST /api/auth/local/register), one logs in (POST /api/auth/local)');
  const register = async (username) => {
    const r = await req('POST', '/api/auth/local/register', {
      body: { username, email: `${username}@example.test`, password: 'Password123!' },
      expect: [200],
    });
    assert(r.json.jwt, `register ${username}: no jwt`);
    return { id: r.json.user.id, jwt: r.json.jwt };
  };
  const alice = await register('alice');
  const bob = await register('bob');
  const login = await req('POST', '/api/auth/local', { body: { identifier: 'bob', password: 'Password123!' }, expect: [200] });
  bob.jwt = login.json.jwt;
  assert(bob.jwt, 'login: no jwt');

  step('alice starts a thread with bob; bob reads his inbox and unread count');
  const created = await req('POST', '/api/private-messages/threads', {
    token: alice.jwt,
    body: { recipients: [{ type: 'user', id: bob.id }], subject: 'Hello from the install test', body: 'Hi Bob' },
    expect: [200, 201],
  });
  const inbox = await req('GET', '/api/private-messages/threads', { token: bob.jwt, expect: [200] });
  assert(JSON.stringify(inbox.json).includes('Hello from the install test'), `bob's inbox lacks the thread: ${inbox.text.slice(0, 300)}`);
  const unread = await req('GET', '/api/private-messages/unread-count', { token: bob.jwt, expect: [200] });
  assert(unread.json.data.threads === 1 && unread.json.data.messages === 1, `unread count: ${unread.text}`);
  const threadId = created.json.data?.thread?.id ?? created.json.data?.id;

  step('notification email to bob (the README\'s local SMTP settings)');
  const deadline = Date.now() + 90000;
  while (!mail.messages.some((m) => m.to.includes('bob@example.test') && m.app === flavour)) {
    if (Date.now() > deadline) throw new Error(`[${flavour}] no notification email to bob within 90 s`);
    await new Promise((res) => setTimeout(res, 500));
  }

  step('GET /private-messages/settings (admin API): the README\'s configured values');
  const settings = await req('GET', '/private-messages/settings', { token: adminToken, expect: [200] });
  const configured = block(`plugins.${flavour}`).join('\n').match(/threadUrlTemplate: '([^']+)'/)[1];
  assert(settings.json.data.threadUrlTemplate === configured, `settings.threadUrlTemplate is ${settings.json.data.threadUrlTemplate}, README configures ${configured}`);

  step('GET /admin and the plugin in the built admin panel');
  const page = await req('GET', '/admin', { expect: [200] });
  assert(/<script/i.test(page.text), 'GET /admin: no script in the page');
  const buildDir = [path.join(dir, 'dist', 'build'), path.join(dir, 'build')].find((d) => fs.existsSync(d));
  assert(buildDir, `no built admin panel in ${dir} (dist/build or build)`);
  const files = fs.readdirSync(buildDir, { recursive: true }).filter((f) => f.endsWith('.js'));
  const withPlugin = files.filter((f) => fs.readFileSync(path.join(buildDir, f), 'utf8').includes('plugin::private-messages.settings.read'));
  assert(withPlugin.length, `the built admin (${buildDir}) has no file with the plugin's permissions`);
  const served = await req('GET', `/admin/${withPlugin[0].split(path.sep).join('/')}`, { expect: [200] });
  assert(served.text.includes('plugin::private-messages'), 'the plugin bundle is not served under /admin');
  step(`ok (thread ${threadId}, ${granted.length} actions granted, admin bundle ${withPlugin[0]})`);
};

// --- main -------------------------------------------------------------------------------------------
const main = async () => {
  console.log(`Install test in ${WORK}${KEEP ? ' (kept)' : ''}`);
  assert(fs.existsSync(path.join(ROOT, 'dist', 'server', 'index.js')), 'dist/ missing: run `npm run build` first');

  // One SMTP server per app (the README's local settings point the app at it).
  const smtpServers = [];
  const smtpFor = async (flavour) => {
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      onData(stream, session, cb) {
        const chunks = [];
        stream.on('data', (c) => chunks.push(c));
        stream.on('end', () => {
          mail.messages.push({ app: flavour, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString() });
          cb();
        });
      },
    });
    // A client that goes away mid-session (an app stopped) resets the connection: not a failure here.
    smtp.on('error', () => {});
    await new Promise((res) => smtp.listen(0, '127.0.0.1', res));
    smtpServers.push(smtp);
    return smtp.server.address().port;
  };

  const tarball = (() => {
    const existing = fs.readdirSync(WORK).find((f) => f.endsWith('.tgz'));
    return existing ? path.join(WORK, existing) : null;
  })() ?? await (async () => {
    log('pack', 'npm pack of a fresh copy (prepack builds dist/)');
    return packFreshCopy(ROOT, WORK, sh);
  })();

  if (FLAVOURS.some(onMariadb)) {
    log('js', "README's config/database.js on MariaDB: READ COMMITTED and utf8mb4 on a pooled connection");
    await mariadb.recreateDatabase(`${DATABASE}_js`);
    try {
      await mariadb.checkJsSnippet(block('database.js'), `${DATABASE}_js`);
    } finally {
      await mariadb.dropDatabase(`${DATABASE}_js`);
    }
  }

  // create-strapi-app one after the other (npx's cache), then the rest side by side.
  for (const f of FLAVOURS) await create(f);
  await Promise.all(
    FLAVOURS.map(async (f) => {
      const dir = await prepare(f, tarball);
      const { base, output } = await start(f, dir, await smtpFor(f));
      try {
        await use(f, dir, base);
        if (f === FRONT) await frontend({ ROOT, WORK, base, sh, log, freePort });
      } catch (e) {
        e.message = `[${f}] ${e.message}\n--- the app's output (last lines) ---\n${output()}`;
        throw e;
      }
    }),
  );
  for (const smtp of smtpServers) smtp.close();
  console.log(`\nInstall test passed (${FLAVOURS.join(', ')}) in ${elapsed()}`);
};

const cleanUp = async (code) => {
  killAll();
  if (!KEEP) {
    if (FLAVOURS.some(onMariadb)) await mariadb.dropDatabase(DATABASE).catch(() => {});
    fs.rmSync(WORK, { recursive: true, force: true });
  }
  process.exit(code);
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => cleanUp(130));

main()
  .then(
    () => 0,
    (e) => {
      console.error(`\nInstall test FAILED after ${elapsed()}:\n${e.stack ?? e}`);
      return 1;
    },
  )
  .then(cleanUp);
