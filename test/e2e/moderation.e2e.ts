import type { Browser, Page } from 'playwright-core';
import {
  ACTIONS,
  ADMIN_PASSWORD,
  createAdmin,
  createAdminRole,
  superAdminRoleId,
  type E2EAdmin,
} from './support/admins';
import { accessibilityViolations } from './support/axe';
import { adminToken, inSession, launchBrowser, login, pageScreenshot, snapshot } from './support/browser';
import { startServer, type E2EServer } from './support/server';
import { call, grantMessagingToAuthenticated, registerUser, startThread, type SiteUser } from './support/site';

/**
 * The moderation page in a real browser: a report filed through the content API shows up in the
 * queue with its message in context and is resolved from the page; an admin without the
 * moderation action sees neither the menu link nor the page, and the API refuses them; a sender
 * suspended from the page is listed among the suspended senders and lifted from there.
 */
let server: E2EServer;
let browser: Browser;
let moderator: E2EAdmin;
let outsider: E2EAdmin;
let ann: SiteUser;
let bob: SiteUser;
let cat: SiteUser;
let spamThreadId: string;
let spamMessageId: string;

const reply = async (threadId: string, author: SiteUser, body: string) => {
  const res = await call(server.baseUrl, 'POST', `/api/private-messages/threads/${threadId}/messages`, {
    token: author.jwt,
    body: { body },
  });
  if (res.status !== 201) throw new Error(`reply: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as { id: string };
};

const report = async (reporter: SiteUser, messageId: string, reason: string) => {
  const res = await call(server.baseUrl, 'POST', `/api/private-messages/messages/${messageId}/report`, {
    token: reporter.jwt,
    body: { reason },
  });
  if (res.status !== 201 && res.status !== 200) throw new Error(`report: ${res.status} ${JSON.stringify(res.body)}`);
  return res;
};

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const { strapi, baseUrl } = server;
  moderator = await createAdmin(strapi, {
    firstname: 'Mia',
    lastname: 'Moderator',
    email: 'mia.moderator@e2e.test',
    roles: [await superAdminRoleId(strapi)],
  });
  // A limited admin: may read the plugin's settings, may not moderate.
  outsider = await createAdmin(strapi, {
    firstname: 'Oscar',
    lastname: 'Outsider',
    email: 'oscar.outsider@e2e.test',
    roles: [(await createAdminRole(strapi, [ACTIONS.settingsRead], 'Editors without moderation')).id],
  });
  await grantMessagingToAuthenticated(strapi);
  [ann, bob, cat] = [
    await registerUser(baseUrl, 'ann'),
    await registerUser(baseUrl, 'bob'),
    await registerUser(baseUrl, 'cat'),
  ];

  // A group thread where bob posts spam, reported by ann.
  const meetup = await startThread(baseUrl, ann, [bob, cat], 'Who is coming on Saturday?', 'Saturday meetup');
  expect(meetup.status).toBe(201);
  spamThreadId = meetup.body.data.thread.id;
  await reply(spamThreadId, cat, 'Count me in, I will bring the maps.');
  spamMessageId = (await reply(spamThreadId, bob, 'Cheap pills at spam.example, click now!!!')).id;
  await reply(spamThreadId, ann, 'Bob, that is not what this thread is for.');
  await report(ann, spamMessageId, 'Spam: selling pills to the group.');

  // A 1:1 thread where cat asks ann for her password, reported by ann (the newest report).
  const dm = await startThread(baseUrl, cat, [ann], 'Hi Ann, quick question about your account.', 'Account check');
  await report(
    ann,
    (await reply(dm.body.data.thread.id, cat, 'Please send me your password so I can fix it.')).id,
    'Phishing: asks for my password.',
  );
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const reportCard = (page: Page, reason: string) => page.locator('[data-testid="pm-report"]', { hasText: reason });

it('a report filed through the content API appears in the queue and is resolved from the page', () =>
  inSession(browser, server.baseUrl, 'moderation-resolve', async ({ page }) => {
    await login(page, moderator.email, moderator.password);
    await page.getByRole('link', { name: 'Message moderation' }).click();
    await page.getByRole('heading', { name: 'Message moderation', level: 1 }).waitFor();
    await page.getByText('2 open reports').waitFor();

    // Newest first; each report with its reporter, reason and the message among its neighbours.
    const cards = page.locator('[data-testid="pm-report"]');
    await expect(cards.first().textContent()).resolves.toContain('Phishing: asks for my password.');
    const spam = reportCard(page, 'Spam: selling pills to the group.');
    await spam.waitFor();
    const text = await spam.textContent();
    expect(text).toContain('Saturday meetup');
    expect(text).toContain('Reported by ann');
    expect(text).toContain('Count me in, I will bring the maps.');
    expect(text).toContain('Bob, that is not what this thread is for.');
    expect(await spam.locator('[data-testid="pm-reported-message"]').textContent()).toContain(
      'Cheap pills at spam.example',
    );

    await pageScreenshot(page, 'moderation.png', 1300);
    // WCAG 2.1 AA (axe-core), as Strapi's own pages pass it: the queue with the reported message in context.
    expect(await accessibilityViolations(page)).toEqual([]);

    // Resolve it: delete the message, with a note, confirmed in the dialog.
    await spam.getByRole('button', { name: 'Delete the message' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText('Resolve the report: Delete the message').waitFor();
    await dialog.getByLabel('Note').fill('Spam link; the sender was warned.');
    await snapshot(page, 'moderation-dialog.png');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Report resolved').first().waitFor();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('1 open report', { exact: true }).waitFor();
    expect(await spam.count()).toBe(0);

    // It is now among the resolved ones, with who, when and how.
    await page.getByRole('tab', { name: 'Resolved' }).click();
    const resolved = reportCard(page, 'Spam: selling pills to the group.');
    await resolved.waitFor();
    const outcome = await resolved.locator('[data-testid="pm-report-resolution"]').textContent();
    expect(outcome).toMatch(/Delete the message by Mia Moderator on \w+ \d+, \d{4}/);
    expect(outcome).toContain('Note: Spam link; the sender was warned.');
    expect(await resolved.locator('[data-testid="pm-reported-message"]').textContent()).toContain('Deleted');
    await snapshot(page, 'moderation-resolved.png');
    expect(await accessibilityViolations(page)).toEqual([]);

    // The server did it: the message is deleted for the thread's members, the report is resolved by Mia.
    const thread = await call(server.baseUrl, 'GET', `/api/private-messages/threads/${spamThreadId}`, {
      token: cat.jwt,
    });
    expect(thread.body.data.messages.find((m: { id: string }) => m.id === spamMessageId)).toMatchObject({
      deleted: true,
      body: null,
    });
    const list = await call(server.baseUrl, 'GET', '/private-messages/reports?status=resolved', {
      token: await adminToken(page.context()),
    });
    expect(list.body.data).toEqual([
      expect.objectContaining({
        resolution: 'deleteMessage',
        note: 'Spam link; the sender was warned.',
        resolvedBy: expect.objectContaining({ id: moderator.id }),
      }),
    ]);
  }));

it('an admin without the moderation action sees neither the menu link nor the page, and the API says 403', () =>
  inSession(browser, server.baseUrl, 'moderation-forbidden', async ({ context, page }) => {
    await login(page, outsider.email, outsider.password);
    // The menu is drawn once the admin's permissions are known: Settings (settings.read) is in it.
    await page.getByRole('link', { name: 'Settings', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Message moderation' }).count()).toBe(0);

    // Typing the address leads to Strapi's "no permissions" page, not to the queue.
    await page.goto('/admin/plugins/private-messages');
    await page.getByText("You don't have the permissions to access that content").waitFor();
    expect(await page.locator('[data-testid="pm-report"]').count()).toBe(0);
    expect(await page.getByText('Phishing: asks for my password.').count()).toBe(0);

    const token = await adminToken(context);
    const list = await call(server.baseUrl, 'GET', '/private-messages/reports', { token });
    expect(list.status).toBe(403);
    const resolve = await call(server.baseUrl, 'POST', `/private-messages/reports/${'a'.repeat(24)}/resolve`, {
      token,
      body: { action: 'dismiss' },
    });
    expect(resolve.status).toBe(403);

    // The same request with a moderator's token is allowed.
    const login2 = await call(server.baseUrl, 'POST', '/admin/login', {
      body: { email: moderator.email, password: ADMIN_PASSWORD },
    });
    expect(
      (await call(server.baseUrl, 'GET', '/private-messages/reports', { token: login2.body.data.token })).status,
    ).toBe(200);
  }));


it('disabling a sender suspends them: listed under Suspended senders, and lifted from the page', () =>
  inSession(browser, server.baseUrl, 'moderation-suspend', async ({ page }) => {
    const canMessage = async () =>
      (await call(server.baseUrl, 'GET', `/api/private-messages/can-message/${ann.id}`, { token: cat.jwt })).body.data;

    await login(page, moderator.email, moderator.password);
    await page.getByRole('link', { name: 'Message moderation' }).click();
    const phishing = reportCard(page, 'Phishing: asks for my password.');
    await phishing.getByRole('button', { name: "Disable the sender's messaging" }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByText('The sender is suspended', { exact: false }).waitFor();
    await dialog.getByLabel('Note').fill('Phishing for passwords.');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Report resolved').first().waitFor();
    await dialog.waitFor({ state: 'detached' });

    // cat is suspended, and turning messaging back on does not change that.
    expect((await canMessage()).reasons).toContainEqual(expect.objectContaining({ code: 'sender_suspended' }));
    const prefs = await call(server.baseUrl, 'PUT', '/api/private-messages/preferences', {
      token: cat.jwt,
      body: { messagingEnabled: true },
    });
    expect(prefs.status).toBe(200);
    expect(await canMessage()).toMatchObject({ allowed: false });

    await page.getByRole('tab', { name: 'Suspended senders' }).click();
    const suspension = page.locator('[data-testid="pm-suspension"]', { hasText: 'cat' });
    await suspension.waitFor();
    const text = await suspension.textContent();
    expect(text).toMatch(/Suspended on \w+ \d+, \d{4}.* by Mia Moderator/);
    expect(text).toContain('Note: Phishing for passwords.');
    await snapshot(page, 'moderation-suspensions.png');
    expect(await accessibilityViolations(page)).toEqual([]);

    await suspension.getByRole('button', { name: 'Lift' }).click();
    const lift = page.getByRole('alertdialog');
    await lift.getByText('Lift the suspension of cat').waitFor();
    await lift.getByRole('button', { name: 'Lift the suspension' }).click();
    await page.getByText('Suspension lifted').first().waitFor();
    await lift.waitFor({ state: 'detached' });
    await page.getByText('No suspended senders.').waitFor();
    expect(await page.locator('[data-testid="pm-suspension"]').count()).toBe(0);

    // The server lifted it: cat may write again.
    expect(await canMessage()).toEqual({ allowed: true, asRequest: false, reasons: [] });
  }));
