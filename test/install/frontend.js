'use strict';
/**
 * The client in a front end, as README.md's "A front end in five minutes" says (part of
 * `npm run test:install`): a fresh Vite + React + TypeScript project on its own origin installs the
 * client package (`npm pack -w client`) with a plain `npm install` and nothing of Strapi's, builds
 * the README's React inbox as written (only the Strapi URL differs) with strict TypeScript, and
 * Chromium drives it against the fresh Strapi app, whose CORS configuration is untouched: log in,
 * list, send, receive live (the stream), and keep working after the access token expires (the
 * app's access tokens are made short-lived for this: `shortenAccessTokens`).
 */
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');

/** Seconds an access token lives in the app the front end is tested against. */
const ACCESS_TOKEN_SECONDS = 45;

/** users-permissions' `sessions.accessTokenLifespan` in the app's config/plugins (a new app has `sessions`). */
const shortenAccessTokens = (file) => {
  const text = fs.readFileSync(file, 'utf8');
  const next = /accessTokenLifespan:\s*[^,\n]+/.test(text)
    ? text.replace(/accessTokenLifespan:\s*[^,\n]+/, `accessTokenLifespan: ${ACCESS_TOKEN_SECONDS}`)
    : text.replace(/sessions:\s*\{/, `sessions: { accessTokenLifespan: ${ACCESS_TOKEN_SECONDS},`);
  if (next === text) throw new Error(`${file}: no users-permissions sessions to set accessTokenLifespan in`);
  fs.writeFileSync(file, next);
};

const PROJECT = {
  'package.json': JSON.stringify(
    {
      name: 'front',
      private: true,
      version: '0.0.0',
      type: 'module',
      scripts: { build: 'tsc -p tsconfig.json && vite build' },
      dependencies: { react: '^19.1.0', 'react-dom': '^19.1.0' },
      devDependencies: { '@types/react': '^19.1.0', '@types/react-dom': '^19.1.0', '@vitejs/plugin-react': '^5.0.0', typescript: '~5.9.3', vite: '^7.1.0' },
    },
    null,
    2
  ),
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
      target: 'ES2022', lib: ['ES2022', 'DOM', 'DOM.Iterable'], module: 'ESNext', moduleResolution: 'bundler', jsx: 'react-jsx',
      strict: true, noEmit: true, skipLibCheck: true, isolatedModules: true, noUnusedLocals: true, noUnusedParameters: true, types: [],
    },
    include: ['src'],
  }),
  'vite.config.ts': "import { defineConfig } from 'vite';\nimport react from '@vitejs/plugin-react';\n\nexport default defineConfig({ plugins: [react()] });\n",
  'index.html': '<!doctype html>\n<html lang="en"><head><meta charset="UTF-8"><title>Front</title></head>\n<body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>\n',
  'src/main.tsx': `import { useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { logIn, Messages } from './Messages';

function App() {
  const [user, setUser] = useState<{ username: string } | null>(null);
  const [error, setError] = useState('');
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const who = await logIn(String(form.get('identifier')), String(form.get('password')));
    if (who) setUser(who);
    else setError('Login failed');
  };
  if (user) return (<main><p>Logged in as {user.username}</p><Messages /></main>);
  return (
    <form onSubmit={submit}>
      <label>User <input name="identifier" /></label>
      <label>Password <input name="password" type="password" /></label>
      <button type="submit">Log in</button>
      <p role="alert">{error}</p>
    </form>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
`,
};

const size = (dir) => {
  let total = 0;
  for (const f of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) if (f.isFile()) total += fs.statSync(path.join(f.parentPath ?? f.path, f.name)).size;
  return total;
};
const installed = (dir) => Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')).packages).filter((p) => p.startsWith('node_modules/'));

/** A static server of the built front end: its own origin. */
const serve = (root, port) =>
  new Promise((resolve) => {
    const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
    const server = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://x').pathname;
      const file = path.join(root, url === '/' ? 'index.html' : path.normalize(url));
      if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
    });
    server.listen(port, '127.0.0.1', () => resolve(server));
  });

/** The fenced code block right after `<!-- MARKER -->` in README.md, as text. */
const readmeBlock = (ROOT, marker) => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const m = readme.match(new RegExp(`<!-- ${marker} -->\\s*\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\\n\`\`\``));
  if (!m) throw new Error(`README.md has no code block marked <!-- ${marker} -->`);
  return m[1];
};

/**
 * Runs the front-end part against the app at `base` (its users alice, id 1, and bob, id 2, registered
 * with Password123!). `sh`, `log` and `freePort` are run.js's.
 */
const frontend = async ({ ROOT, WORK, base, sh, log, freePort }) => {
  const step = (msg) => log('front', msg);
  const dir = path.join(WORK, 'front');

  step('npm pack -w client');
  const packed = await sh('front', ROOT, 'npm', ['pack', '-w', 'client', '--json', '--pack-destination', WORK]);
  const tarball = path.join(WORK, JSON.parse(packed.slice(packed.indexOf('[')))[0].filename);

  step('a fresh Vite + React + TypeScript project: npm install');
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [file, text] of Object.entries(PROJECT)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  const inbox = readmeBlock(ROOT, 'readme:react-inbox');
  fs.writeFileSync(path.join(dir, 'src/Messages.tsx'), inbox.replace("'http://localhost:1337'", `'${base}'`));
  await sh('front', dir, 'npm', ['install', '--no-audit', '--no-fund']);
  const before = installed(dir);
  const sizeBefore = size(path.join(dir, 'node_modules'));

  const line = readmeBlock(ROOT, 'install:client').split('\n').find((l) => l.startsWith('npm install '));
  if (!line || !line.includes('strapi-private-messages-client')) throw new Error('README install:client block: no `npm install strapi-private-messages-client`');
  step(`${line} (the packed client)`);
  await sh('front', dir, 'npm', [...line.replace('strapi-private-messages-client', tarball).split(/\s+/).slice(1), '--no-audit', '--no-fund']);
  const added = installed(dir).filter((p) => !before.includes(p));
  const addedBytes = size(path.join(dir, 'node_modules')) - sizeBefore;
  step(`added ${added.length} package(s) (${added.join(', ')}), ${(addedBytes / 1024).toFixed(0)} kB`);
  if (added.some((p) => /@strapi|zod|koa/.test(p))) throw new Error(`the client pulled the server's dependencies: ${added.join(', ')}`);

  step('npm run build (tsc --strict, vite build)');
  await sh('front', dir, 'npm', ['run', 'build']);

  const { chromium } = require(path.join(ROOT, 'node_modules/playwright-core'));
  const port = await freePort();
  const server = await serve(path.join(dir, 'dist'), port);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(30_000);
    const refreshes = [];
    const failures = [];
    page.on('request', (r) => r.url().endsWith('/api/auth/refresh') && refreshes.push(Date.now()));
    page.on('requestfailed', (r) => failures.push(`${r.url()}: ${r.failure()?.errorText}`));
    const api = async (method, url, jwt, body) => {
      const res = await fetch(`${base}${url}`, { method, headers: { authorization: `Bearer ${jwt}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body && JSON.stringify(body) });
      return res.json();
    };
    const bobJwt = async () => (await (await fetch(`${base}/api/auth/local`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identifier: 'bob', password: 'Password123!' }) })).json()).jwt;

    step(`Chromium at http://127.0.0.1:${port} (its own origin): log in as alice, list`);
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByLabel('User').fill('alice');
    await page.getByLabel('Password').fill('Password123!');
    await page.getByRole('button', { name: 'Log in' }).click();
    const loggedInAt = Date.now();
    await page.getByText('Logged in as alice').waitFor();
    await page.getByText('Hello from the install test').waitFor();

    step('send (useSend), as bob reads it');
    await page.getByRole('button', { name: 'Say hello to user 2' }).click();
    const bob = await bobJwt();
    for (let i = 0; ; i++) {
      const threads = (await api('GET', '/api/private-messages/threads', bob)).data;
      if (threads.some((t) => t.lastMessage?.excerpt === 'Hello!')) break;
      if (i > 60) throw new Error('bob never got the page’s Hello!');
      await new Promise((r) => setTimeout(r, 500));
    }

    step('receive live: bob writes, the page shows it without a reload');
    await api('POST', '/api/private-messages/threads', bob, { recipients: [{ type: 'user', id: 1 }], subject: 'Live from bob', body: 'Are you there?' });
    await page.getByText('Live from bob').waitFor();

    const wait = loggedInAt + (ACCESS_TOKEN_SECONDS + 10) * 1000 - Date.now();
    step(`the access token expires (${ACCESS_TOKEN_SECONDS} s): waiting ${Math.max(0, wait / 1000).toFixed(0)} s`);
    if (wait > 0) await page.waitForTimeout(wait);
    await api('POST', '/api/private-messages/threads', await bobJwt(), { recipients: [{ type: 'user', id: 1 }], subject: 'After the refresh', body: 'Still live?' });
    await page.getByText('After the refresh').waitFor({ timeout: 60_000 });
    await page.getByRole('checkbox', { name: 'Unread only' }).check();
    await page.getByText('After the refresh').waitFor();
    if (refreshes.length === 0) throw new Error('the page never renewed its token (POST /api/auth/refresh)');
    step(`ok: ${refreshes.length} token renewal(s), live after the refresh${failures.length ? `; failed requests: ${failures.join('; ')}` : ''}`);
    return { added: added.length, kB: Math.round(addedBytes / 1024) };
  } finally {
    await browser.close();
    server.close();
  }
};

module.exports = { frontend, shortenAccessTokens };
