import type { Browser } from 'playwright-core';
import { startThread, reply } from '../helpers/api';
import { listen } from '../helpers/sse';
import { bootStrapi, stopStrapi, type TestStrapi } from '../helpers/strapi';
import { grant, pluginActions, registerUser, roleByType, type TestUser } from '../helpers/users';
import { launchBrowser } from './support/browser';

/*
 * The real-time stream in Chromium: a page using the browser's own EventSource (with a ticket, as
 * the README shows) keeps an unread badge up to date, and carries on after the server drops it.
 * The page is served on Strapi's own origin by the browser context (route), so it needs no file.
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
