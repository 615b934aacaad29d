import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ROOT } from '../helpers/paths';
import { startThread, reply } from '../helpers/api';
import { listen } from '../helpers/sse';
import { bootStrapi, stopStrapi, type TestStrapi } from '../helpers/strapi';
import { grant, pluginActions, registerUser, roleByType, type TestUser } from '../helpers/users';
import { launchBrowser } from './support/browser';

/*
 * The real-time stream in Chromium: a page using the browser's own EventSource (with a ticket, as
 * the README shows) keeps an unread badge up to date, and carries on after the server drops it.
 * The page is served on Strapi's own origin by the browser context (route), so it needs no file.
 * And the typed client's stream from a page on another origin, with Strapi's default CORS
 * configuration (the playground's `strapi::cors` has no options).
 */
const PAGE = `<!doctype html><html><body>
<span id="badge">?</span> <span id="events"></span>
<script>
  window.start = async (jwt) => {
    const res = await fetch('/api/private-messages/stream/tickets', { method: 'POST', headers: { Authorization: 'Bearer ' + jwt } });
    const { data } = await res.json();
    const source = new EventSource('/api/private-messages/stream?ticket=' + encodeURIComponent(data.ticket));
    source.addEventListener('unread-count', (e) => { document.getElementById('badge').textContent = String(JSON.parse(e.data).messages); });
    source.addEventListener('message.created', () => { document.getElementById('events').textContent += 'm'; });
    source.addEventListener('open', () => { window.opens = (window.opens || 0) + 1; });
  };
</script></body></html>`;

let strapi: TestStrapi;
let browser: Browser;
let base: string;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  strapi = await bootStrapi();
  const role = await roleByType(strapi, 'authenticated');
  await grant(strapi, role.id, pluginActions(strapi));
  base = await listen(strapi);
  alice = await registerUser(strapi);
  bob = await registerUser(strapi);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stopStrapi(strapi);
});

it('updates an unread badge from EventSource, and again after the server drops the stream', async () => {
  const context = await browser.newContext({ baseURL: base });
  await context.route(`${base}/badge.html`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: PAGE }));
  const page = await context.newPage();
  await page.goto('/badge.html');
  await page.evaluate((jwt) => (globalThis as any).start(jwt), bob.jwt);
  await page.locator('#badge', { hasText: '0' }).waitFor();

  const { thread } = await startThread(strapi, alice, [bob]);
  await page.locator('#badge', { hasText: '1' }).waitFor();

  // The server drops every connection: EventSource reconnects by itself (retry: 3000) with its ticket.
  strapi.server.httpServer.closeAllConnections();
  await page.waitForFunction(() => (globalThis as any).opens >= 2, undefined, { timeout: 15_000 });
  await reply(strapi, alice, thread.id, 'still there?');
  await page.locator('#badge', { hasText: '2' }).waitFor();
  expect(await page.locator('#events').textContent()).toBe('mm');
  await context.close();
}, 60_000);

/** A page on another origin than Strapi's, with the typed client (client/src bundled as a module). */const CROSS_PAGE = `<!doctype html><html><body>
<span id="badge">?</span> <span id="events"></span>
<script type="module">
  import { createPrivateMessagesClient } from '/client.mjs';
  window.start = (baseUrl, jwt) => {
    const pm = createPrivateMessagesClient({ baseUrl, token: jwt });
    pm.stream({
      onOpen: () => { window.opens = (window.opens || 0) + 1; },
      onEvent: (e) => {
        if (e.event === 'unread-count') document.getElementById('badge').textContent = String(e.data.messages);
        if (e.event === 'message.created') document.getElementById('events').textContent += 'm';
      },
      onError: (error) => { window.errors = [...(window.errors || []), String(error && error.message)]; },
      reconnectDelayMs: 200,
    });
  };
</script></body></html>`;

it('receives the typed client’s stream on a page from another origin, with Strapi’s default CORS configuration, and resumes after a drop', async () => {
  const esbuild = require('esbuild');
  const bundle = await esbuild.build({ entryPoints: [path.join(ROOT, 'client/src/index.ts')], bundle: true, format: 'esm', write: false, logLevel: 'silent' });
  // A real server on the loopback (Chromium refuses a page it cannot place on the loopback network
  // to reach Strapi there): localhost and another port, another origin than Strapi's 127.0.0.1.
  const files: Record<string, [string, string]> = { '/inbox.html': ['text/html', CROSS_PAGE], '/client.mjs': ['text/javascript', bundle.outputFiles[0].text] };
  const other = http.createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => other.listen(0, 'localhost', resolve));
  const OTHER_ORIGIN = `http://localhost:${(other.address() as AddressInfo).port}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const streamRequests: { url: string; headers: Record<string, string> }[] = [];
  page.on('request', (r) => {
    if (r.url().startsWith(`${base}/api/private-messages/stream`)) streamRequests.push({ url: r.url(), headers: r.headers() });
  });
  await page.goto(`${OTHER_ORIGIN}/inbox.html`);
  await page.waitForFunction(() => typeof (globalThis as any).start === 'function');
  await page.evaluate(([url, jwt]) => (globalThis as any).start(url, jwt), [base, bob.jwt]);
  await page.locator('#badge', { hasText: /^\d+$/ }).waitFor();
  const before = Number(await page.locator('#badge').textContent());

  const { thread } = await startThread(strapi, alice, [bob]);
  await page.locator('#badge', { hasText: String(before + 1) }).waitFor();

  // The server drops the connection: the client reconnects with ?lastEventId= (not a header Strapi's CORS would refuse).
  strapi.server.httpServer.closeAllConnections();
  await page.waitForFunction(() => (globalThis as any).opens >= 2, undefined, { timeout: 15_000 });
  await reply(strapi, alice, thread.id, 'from the other origin?');
  await page.locator('#badge', { hasText: String(before + 2) }).waitFor();
  expect(await page.locator('#events').textContent()).toBe('mm');
  expect(streamRequests.some((r) => /[?&]lastEventId=/.test(r.url))).toBe(true);
  for (const r of streamRequests) {
    expect(r.headers['cache-control']).toBeUndefined();
    expect(r.headers['last-event-id']).toBeUndefined();
  }
  await context.close();
  other.closeAllConnections();
  await new Promise((resolve) => other.close(resolve));
}, 90_000);
