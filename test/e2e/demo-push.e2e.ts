import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { stopStrapi, type TestStrapi } from '../helpers/strapi';
import { startDemoSite } from './support/demo-site';
import { startPushService } from '../helpers/push-service';
import { launchProfile } from './support/browser';
import { call } from './support/site';

/*
 * Web push in the demo inbox, in Chromium: the page registers its service worker (/messages/sw.js,
 * scope /messages/) on sign-in and subscribes from its "Turn on notifications" button; the outbox
 * pushes a new thread and a reply, encrypted and signed, to a push service started here, which
 * decrypts them (RFC 8291); each decrypted payload, byte for byte what the push lane produced, is
 * handed to the service worker through the DevTools protocol (ServiceWorker.deliverPushMessage),
 * as a browser's push service would, and the notification it shows is read back from the page.
 *
 * Chromium here reaches no real push service (no network): should its PushManager.subscribe fail,
 * or make an endpoint nobody can deliver to, the subscription the server keeps is one whose
 * endpoint is the push service started here, saved through the same route the page uses.
 */

const PASSWORD = 'Password123!';

let strapi: TestStrapi;
let service: Awaited<ReturnType<typeof startPushService>>;
let context: BrowserContext;
let profile = '';
let baseUrl = '';

beforeAll(async () => {
  service = await startPushService();
  ({ strapi, baseUrl } = await startDemoSite());
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-push-profile-'));
  context = await launchProfile(profile);
  await context.grantPermissions(['notifications'], { origin: baseUrl });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await stopStrapi(strapi);
  await service?.stop();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

afterEach(() => expect(service.errors).toEqual([]));

/** A demo user's token and id, through the real login route. */
const loginAs = async (username: string) => {
  const res = await call(baseUrl, 'POST', '/api/auth/local', { body: { identifier: username, password: PASSWORD } });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return { jwt: res.body.jwt as string, id: res.body.user.id as number };
};

const api = (token: string, method: string, route: string, body?: unknown) => call(baseUrl, method, `/api/private-messages${route}`, { token, body });

/** Drains the outbox until `browser` has received `count` pushes. */
const pushed = async (browser: ReturnType<typeof service.browser>, count: number) => {
  const outbox = strapi.plugin('private-messages').service('outbox');
  for (let i = 0; i < 20 && browser.received.length < count; i += 1) {
    await outbox.drain();
    await outbox.idle();
  }
  expect(browser.received).toHaveLength(count);
  return browser.received[count - 1];
};

/** The notifications the page's service worker registration shows now. */
const notifications = (page: Page) =>
  page.evaluate(async () =>
    (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }))
  );

/** Delivers `text` to the worker as its push service would, then waits for the notification it shows with `title`. */
const deliver = async (page: Page, cdp: CDPSession, registrationId: string, text: string, title: string) => {
  for (let i = 0; i < 150; i += 1) {
    // Sent again every 3 s until shown: DevTools drops a push that reaches the worker while it is
    // still being started for it. The notification's tag is the thread, so a repeat replaces it.
    if (i % 30 === 0) await cdp.send('ServiceWorker.deliverPushMessage', { origin: baseUrl, registrationId, data: text });
    const shown = await notifications(page);
    if (shown.some((n) => n.title === title)) return shown;
    await page.waitForTimeout(100);
  }
  throw new Error(`no notification titled ${title}: ${JSON.stringify(await notifications(page))}`);
};

describe('web push in the demo inbox', () => {
  it('registers its service worker, subscribes, and shows what the outbox pushed as a notification', async () => {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const registrations = new Map<string, string>();
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: list }) => {
      for (const r of list) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
    });
    await cdp.send('ServiceWorker.enable');

    await page.goto(`${baseUrl}/messages/index.html?poll=500`);
    await page.getByLabel('User', { exact: true }).selectOption('bob');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Logged in as bob').waitFor();
    // Registered on sign-in, next to the page: its scope is the demo's folder.
    expect(await page.evaluate(async () => (await navigator.serviceWorker.ready).scope)).toBe(`${baseUrl}/messages/`);

    await page.getByRole('button', { name: 'Turn on notifications' }).click();
    const said = page.locator('#live').getByText(/^Notifications (on|unavailable)/);
    await said.waitFor({ timeout: 60_000 });
    const notice = (await said.textContent())!;
    const endpoint = await page.evaluate(async () => (await (await navigator.serviceWorker.ready).pushManager.getSubscription())?.endpoint ?? null);
    // Either the browser subscribed (and the page saved it), or it could not, and the page said so.
    if (endpoint) expect(notice).toBe('Notifications on');
    else expect(notice).toMatch(/^Notifications unavailable: ./);

    const bob = await loginAs('bob');
    const alice = await loginAs('alice');
    const saved = await strapi.db.connection('pm_push_subscriptions').select('endpoint').where({ user_id: bob.id });
    expect(saved.map((s: { endpoint: string }) => s.endpoint)).toEqual(endpoint ? [endpoint] : []);
    // The stand-in for the browser's push service (see above): nobody can deliver to an endpoint
    // Chromium made offline.
    if (endpoint) expect((await api(bob.jwt, 'DELETE', '/push/subscriptions', { endpoint })).status).toBe(204);
    const stand = service.browser();
    expect((await api(bob.jwt, 'POST', '/push/subscriptions', stand.subscription)).status).toBe(201);
    expect((await api(bob.jwt, 'PUT', '/preferences', { push: 'every', pushContent: 'preview' })).status).toBe(200);

    const started = await api(alice.jwt, 'POST', '/threads', {
      recipients: [{ type: 'user', id: bob.id }],
      subject: 'Tickets for Saturday',
      body: 'I have two tickets for the concert. Coming?',
    });
    expect(started.status).toBe(201);
    const threadId = started.body.data.thread.id as string;
    const first = await pushed(stand, 1);
    expect(first.payload).toEqual({ type: 'newThread', threadId, author: 'alice', subject: 'Tickets for Saturday', excerpt: 'I have two tickets for the concert. Coming?' });

    for (let i = 0; i < 100 && !registrations.has(`${baseUrl}/messages/`); i += 1) await page.waitForTimeout(100);
    const registrationId = registrations.get(`${baseUrl}/messages/`);
    if (!registrationId) throw new Error(`no service worker registration at /messages/: ${JSON.stringify([...registrations])}`);
    expect(await deliver(page, cdp, registrationId, first.text, 'alice: Tickets for Saturday')).toEqual([
      { title: 'alice: Tickets for Saturday', body: 'I have two tickets for the concert. Coming?', tag: threadId, data: first.payload },
    ]);

    // Without a preview (the default), the push says only that something came: the worker shows
    // that, in place of the thread's earlier notification (one per thread: its tag).
    expect((await api(bob.jwt, 'PUT', '/preferences', { pushContent: 'none' })).status).toBe(200);
    expect((await api(alice.jwt, 'POST', `/threads/${threadId}/messages`, { body: 'Doors open at eight.' })).status).toBe(201);
    const second = await pushed(stand, 2);
    expect(second.payload).toEqual({ type: 'reply', threadId });
    expect(second.text).not.toContain('Doors');
    expect(await deliver(page, cdp, registrationId, second.text, 'New reply')).toEqual([
      { title: 'New reply', body: 'Open your messages to read it.', tag: threadId, data: second.payload },
    ]);

    // A notification's click opens its thread: the page at ?thread=<id> opens it first.
    await page.goto(`${baseUrl}/messages/index.html?poll=500&thread=${threadId}`);
    await page.getByRole('heading', { name: 'Tickets for Saturday' }).waitFor();
    await page.close();
  });
});
