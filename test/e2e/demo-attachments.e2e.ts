import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { stopStrapi, type TestStrapi } from '../helpers/strapi';
import { startDemoSite } from './support/demo-site';
import { TMP } from '../helpers/paths';
import { launchBrowser } from './support/browser';

/*
 * Files on messages in the demo inbox (the playground's /messages/, seed users alice, bob, carol), in
 * Chromium: alice attaches a PDF and a picture through the file input and sends them to bob; the
 * thread shows the picture's thumbnail and the PDF's link, fetched with the reader's credentials;
 * bob opens the thread and downloads the PDF, byte for byte; carol, who is not in the thread, gets
 * a 404 for the same URLs.
 */

const FOLDER = path.join(TMP, `e2e-attachments-${process.pid}`);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

let strapi: TestStrapi;
let browser: Browser;
let baseUrl = '';

beforeAll(async () => {
  ({ strapi, baseUrl } = await startDemoSite({
    PM_ATTACHMENTS: JSON.stringify({ enabled: true, storage: { adapter: 'local', folder: FOLDER } }),
  }));
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stopStrapi(strapi);
  fs.rmSync(FOLDER, { recursive: true, force: true });
});

const open = async (username: string) => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, locale: 'en-US', timezoneId: 'UTC', acceptDownloads: true });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/messages/index.html?poll=500`);
  await page.getByLabel('User', { exact: true }).selectOption(username);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText(`Logged in as ${username}`).waitFor();
  await page.locator('#live').getByText(/Updates: (live|polling)/).waitFor();
  return page;
};

/** The thread's picture: its thumbnail drawn (decoded, 320 pixels wide), not the placeholder. */
const thumbnailShown = (page: Page, name: string) =>
  page.waitForFunction((alt) => {
    const img = document.querySelector<HTMLImageElement>(`#message-list img.thumb[alt="${alt}"]`);
    return img !== null && img.complete && img.naturalWidth === 320;
  }, name);

/** A seed user's JWT, as the site's own login would give it. */
const jwtOf = async (username: string) => {
  const user = await strapi.db.query('plugin::users-permissions.user').findOne({ where: { username } });
  return strapi.plugin('users-permissions').service('jwt').issue({ id: user.id }) as string;
};

const fetchAs = async (jwt: string, url: string) => {
  const res = await fetch(`${baseUrl}${url}`, { headers: { Authorization: `Bearer ${jwt}` } });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
};

describe('attachments in the demo inbox', () => {
  it('sends a PDF and a picture, shows the thumbnail and the link to both members, and nothing to anyone else', async () => {
    const png = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 20, g: 120, b: 200 } } }).png().toBuffer();
    const alice = await open('alice');

    await alice.getByRole('button', { name: 'New message' }).click();
    const combo = alice.getByRole('combobox', { name: 'To' });
    await combo.pressSequentially('bo');
    await alice.getByRole('option', { name: 'bob' }).waitFor();
    await combo.press('ArrowDown');
    await combo.press('Enter');
    await alice.getByRole('list', { name: 'Recipients' }).getByText('bob').waitFor();
    await alice.getByLabel('Subject', { exact: true }).fill('Trip documents');
    await alice.getByLabel('Message', { exact: true }).fill('The booking and the view from the room.');

    // Picking the files uploads them at once (one request); the form lists them before sending.
    const uploaded = alice.waitForResponse((r) => r.url().endsWith('/api/private-messages/attachments') && r.request().method() === 'POST');
    await alice.locator('#compose-files').setInputFiles([
      { name: 'booking.pdf', mimeType: 'application/pdf', buffer: PDF },
      { name: 'view.png', mimeType: 'image/png', buffer: png },
    ]);
    const answer = await uploaded;
    expect(answer.status()).toBe(201);
    const files: { id: string; name: string; url: string; thumbnailUrl?: string }[] = (await answer.json()).data;
    expect(files.map((f) => f.name)).toEqual(['booking.pdf', 'view.png']);
    const chips = alice.getByRole('list', { name: 'Attached files' });
    await chips.getByText('booking.pdf').waitFor();
    await chips.getByText('view.png').waitFor();
    await alice.getByRole('button', { name: 'Send', exact: true }).click();

    // The sent thread opens: the picture as its thumbnail, the PDF as a link with its size.
    await alice.getByRole('heading', { name: 'Trip documents' }).waitFor();
    const aliceFiles = alice.locator('#message-list').getByRole('list', { name: 'Attachments' });
    await aliceFiles.getByRole('button', { name: /booking\.pdf \(1 KB\)/ }).waitFor();
    await thumbnailShown(alice, 'view.png');

    // Bob, the other member, opens the thread: the same thumbnail, and the PDF downloads whole.
    const bob = await open('bob');
    await bob.getByRole('list', { name: 'Threads' }).getByRole('button', { name: /Trip documents/ }).click();
    await bob.getByRole('heading', { name: 'Trip documents' }).waitFor();
    await thumbnailShown(bob, 'view.png');
    const [download] = await Promise.all([
      bob.waitForEvent('download'),
      bob.locator('#message-list').getByRole('button', { name: /booking\.pdf/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('booking.pdf');
    expect(fs.readFileSync((await download.path())!)).toEqual(PDF);
    await bob.screenshot({ path: path.join(TMP, 'demo-attachments-bob.png') });

    // Carol is not in the thread: a 404 for the file and the thumbnail, as for a file that does not exist.
    const [pdf, picture] = files;
    const carol = await jwtOf('carol');
    expect((await fetchAs(carol, pdf.url)).status).toBe(404);
    expect((await fetchAs(carol, picture.url)).status).toBe(404);
    expect((await fetchAs(carol, picture.thumbnailUrl!)).status).toBe(404);
    const asBob = await fetchAs(await jwtOf('bob'), pdf.url);
    expect(asBob.status).toBe(200);
    expect(asBob.body).toEqual(PDF);
  });
});
