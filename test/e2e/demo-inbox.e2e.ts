import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { stopStrapi, type TestStrapi } from '../helpers/strapi';
import { startDemoSite } from './support/demo-site';
import { ROOT } from '../helpers/paths';
import { accessibilityViolations } from './support/axe';
import { launchBrowser } from './support/browser';

/*
 * The demo inbox the playground serves at /messages/ (React, on the typed client's React bindings),
 * in Chromium, with the playground's own seed (demo users alice and bob): two users side by side,
 * one writes, the other's page shows it without a reload; then a reply, a block and the refusal it
 * causes; and logging out ends the session on the server, not only in the page.
 */

const SHOTS = path.join(ROOT, 'docs/screenshots');

let strapi: TestStrapi;
let browser: Browser;
let baseUrl = '';

beforeAll(async () => {
  ({ strapi, baseUrl } = await startDemoSite());
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stopStrapi(strapi);
});

const open = async (username: string, viewport: { width: number; height: number }, query = '') => {
  const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  // Poll every half second when the server has no stream (the demo falls back to polling).
  await page.goto(`${baseUrl}/messages/index.html?poll=500${query}`);
  await page.getByLabel('User', { exact: true }).selectOption(username);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText(`Logged in as ${username}`).waitFor();
  // Loaded (inbox, count) and listening: the stream is open, or polling took over.
  if (!query.includes('listing=')) await page.locator('#live').getByText(/Updates: (live|polling)/).waitFor();
  return page;
};

const compose = async (page: Page, to: string, subject: string, body: string) => {
  await page.getByRole('button', { name: 'New message' }).click();
  const combo = page.getByRole('combobox', { name: 'To' });
  await combo.pressSequentially(to.slice(0, 2));
  await page.getByRole('option', { name: to }).waitFor();
  // Keyboard only: down to the suggestion, Enter to pick it.
  await combo.press('ArrowDown');
  await combo.press('Enter');
  await page.getByRole('list', { name: 'Recipients' }).getByText(to).waitFor();
  await page.getByLabel('Subject', { exact: true }).fill(subject);
  await page.getByLabel('Message', { exact: true }).fill(body);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
};

describe('the demo inbox', () => {
  it('shows a message to the other user without a reload, then replies, a block and its refusal', async () => {
    const alice = await open('alice', { width: 1100, height: 800 });
    const bob = await open('bob', { width: 390, height: 844 });
    const bobBadge = bob.locator('#badge');
    const before = (await bobBadge.isVisible()) ? Number((await bobBadge.textContent())!.split(' ')[0]) : 0;

    await compose(alice, 'bob', 'Lunch on Friday?', 'Shall we try the new place?');
    await alice.getByRole('heading', { name: 'Lunch on Friday?' }).waitFor();

    // Bob's page, never reloaded: the thread arrives in his inbox and his badge counts it.
    const item = bob.getByRole('button', { name: /Lunch on Friday\?/ });
    await item.waitFor();
    await bobBadge.getByText(`${before + 1} unread`).waitFor();

    await item.click();
    await bob.getByRole('heading', { name: 'Lunch on Friday?' }).waitFor();
    await bob.getByRole('log', { name: 'Messages' }).getByText('Shall we try the new place?').waitFor();
    await bob.getByLabel('Reply', { exact: true }).fill('Yes, 12:30!');
    await bob.getByRole('button', { name: 'Send reply' }).click();
    // Alice has the thread open: the reply appears there, again without a reload.
    await alice.locator('#message-list').getByText('Yes, 12:30!').waitFor();

    fs.mkdirSync(SHOTS, { recursive: true });
    await alice.screenshot({ path: path.join(SHOTS, 'demo-inbox.png') });
    await bob.screenshot({ path: path.join(SHOTS, 'demo-inbox-phone.png') });

    // Bob blocks Alice: her next reply is refused, with the reason shown, and he is no longer suggested.
    bob.once('dialog', (d) => d.accept());
    await bob.getByRole('button', { name: 'Block' }).click();
    await bob.getByText('alice is blocked').waitFor();
    await alice.getByLabel('Reply', { exact: true }).fill('Are you there?');
    await alice.getByRole('button', { name: 'Send reply' }).click();
    await alice.locator('#reply-error').getByText('This user does not accept messages from you').waitFor();
    await alice.screenshot({ path: path.join(SHOTS, 'demo-inbox-refused.png') });
    await alice.getByRole('button', { name: 'New message' }).click();
    // The answer to "bo" (the last search typed), once the page has drawn it: no bob among the options.
    const answered = alice.waitForResponse((r) => r.url().includes('/recipients?') && new URL(r.url()).searchParams.get('q') === 'bo');
    await alice.getByRole('combobox', { name: 'To' }).pressSequentially('bo');
    await answered;
    await alice.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect(await alice.getByRole('option', { name: 'bob' }).count()).toBe(0);
  });

  it('logs out on the server: the refresh cookie no longer gives a token to the next person', async () => {
    const page = await open('carol', { width: 1100, height: 800 });
    // (Before logging out, this cookie gives a token: the demo's getToken renews with it.)
    const refresh = () => page.evaluate(async () => (await fetch('/api/auth/refresh', { method: 'POST', credentials: 'include' })).status);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(await refresh()).not.toBe(200);
  });

  it('is served at /messages too, and passes axe-core\'s WCAG 2.1 AA rules logged out and in', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    // The address people type: sent on to /messages/, where the page's styles and script load.
    await page.goto(`${baseUrl}/messages`);
    expect(new URL(page.url()).pathname).toBe('/messages/');
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(failed).toEqual([]);
    expect(await accessibilityViolations(page)).toEqual([]);
    await context.close();

    const carol = await open('carol', { width: 1100, height: 800 });
    expect(await accessibilityViolations(carol)).toEqual([]);
  });
  it('shows the custom fields of a thread and its messages, and moves a thread between the folder tabs', async () => {
    const bob = await open('bob', { width: 1100, height: 800 });
    const threads = bob.getByRole('list', { name: 'Threads' });
    await threads.getByRole('button', { name: /Order #123/ }).click();
    // The seeded order thread carries the playground's declared fields (orderId, priority).
    const thread = bob.locator('#thread-title').locator('..');
    await thread.locator('dl.fields').getByText('orderId').waitFor();
    await thread.locator('dl.fields').getByText('123').waitFor();
    const firstMessageFields = bob.locator('#message-list dl.fields').first();
    await firstMessageFields.getByText('priority').waitFor();
    await firstMessageFields.getByText('high').waitFor();
    // And on the thread's line in the list.
    await threads.getByText('orderId: 123').waitFor();

    await bob.getByRole('button', { name: 'Archive', exact: true }).click();
    await threads.getByRole('button', { name: /Order #123/ }).waitFor({ state: 'detached' });
    await bob.getByRole('tab', { name: 'Archived' }).click();
    await threads.getByRole('button', { name: /Order #123/ }).click();
    await bob.getByRole('button', { name: 'Unarchive' }).click();
    await bob.getByRole('tab', { name: 'Inbox' }).click();
    await threads.getByRole('button', { name: /Order #123/ }).waitFor();
  });

  it('searches messages: snippets mark the matched words, and a result opens its thread at the message', async () => {
    // The seeded order thread: alice asked bob whether her order had shipped.
    const bob = await open('bob', { width: 1100, height: 800 });
    await bob.getByLabel('Search messages').fill('SHIPP');
    await bob.getByRole('button', { name: 'Search', exact: true }).click();
    const results = bob.getByRole('list', { name: 'Messages found' });
    await results.locator('mark', { hasText: 'shipped' }).waitFor();
    await results.getByRole('button', { name: /Order #123/ }).click();
    await bob.locator('#message-list li.found').getByText(/has my order shipped yet/).waitFor();
    // Fewer than two characters never reach the server.
    await bob.getByLabel('Search messages').fill('z');
    await bob.getByRole('button', { name: 'Search', exact: true }).click();
    await results.locator('mark', { hasText: 'shipped' }).waitFor();
  });

  it('asks the seller from a listing\'s page, opens the thread, shows the listing on it, and asks again in the same thread', async () => {
    // The playground's seed: bob sells the city bike.
    const bike = await strapi.documents('api::listing.listing' as never).findFirst({ filters: { title: 'City bike, barely used' }, status: 'published' } as never) as unknown as { documentId: string };
    const dave = await open('dave', { width: 1100, height: 800 }, `&listing=${bike.documentId}`);
    await dave.getByRole('heading', { name: 'Contact the seller' }).waitFor();
    await dave.locator('#contact-listing').getByText('City bike, barely used').waitFor();
    expect(await accessibilityViolations(dave)).toEqual([]);
    await dave.getByLabel('Your question', { exact: true }).fill('Does it come with a lock?');
    await dave.getByRole('button', { name: 'Ask the seller' }).click();

    // The thread opens, about the listing, with a link to it; its line in the list says so too.
    await dave.locator('#message-list').getByText('Does it come with a lock?').waitFor();
    const about = dave.locator('#thread-people').getByRole('link', { name: 'City bike, barely used' });
    await about.waitFor();
    expect(await about.getAttribute('href')).toContain(`listing=${bike.documentId}`);
    expect(new URL(dave.url()).searchParams.get('listing')).toBeNull();
    const threads = dave.getByRole('list', { name: 'Threads' });
    await threads.getByText('About: City bike, barely used').waitFor();
    await dave.screenshot({ path: path.join(SHOTS, 'demo-contact-seller.png') });

    // The seller has it in his inbox, with the listing's title.
    const bob = await open('bob', { width: 1100, height: 800 });
    await bob.getByRole('list', { name: 'Threads' }).getByText('About: City bike, barely used').waitFor();

    // Asking again from the listing's page: the page says so, and the question joins the same thread.
    await dave.goto(`${baseUrl}/messages/index.html?poll=500&listing=${bike.documentId}`);
    await dave.getByText('You asked about this listing before').waitFor();
    await dave.getByLabel('Your question', { exact: true }).fill('And a bell?');
    await dave.getByRole('button', { name: 'Ask the seller' }).click();
    await dave.locator('#message-list').getByText('And a bell?').waitFor();
    await dave.locator('#message-list').getByText('Does it come with a lock?').waitFor();
    expect(await threads.getByText('About: City bike, barely used').count()).toBe(1);

    // A listing that does not exist (or is not published) says so.
    await dave.goto(`${baseUrl}/messages/index.html?poll=500&listing=nosuchlisting000000000000`);
    await dave.getByRole('heading', { name: 'This listing is no longer available' }).waitFor();
  });
});
