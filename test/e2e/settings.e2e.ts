import type { Browser, Page } from 'playwright-core';
import { ACTIONS, createAdmin, createAdminRole, superAdminRoleId, type E2EAdmin } from './support/admins';
import { accessibilityViolations } from './support/axe';
import { adminToken, inSession, launchBrowser, login, pageScreenshot, snapshot } from './support/browser';
import { startServer, type E2EServer } from './support/server';
import { call, grantMessagingToAuthenticated, registerUser, startThread, type SiteUser } from './support/site';
import { roleByType } from '../helpers/users';

/**
 * Settings → Private Messages in a real browser: an admin changes a setting, it survives a reload
 * and the very next send obeys it; an admin who may only read sees the page read-only.
 */
let server: E2EServer;
let browser: Browser;
let editor: E2EAdmin;
let reader: E2EAdmin;
let users: SiteUser[];

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  const { strapi } = server;
  editor = await createAdmin(strapi, {
    firstname: 'Eve',
    lastname: 'Editor',
    email: 'eve.editor@e2e.test',
    roles: [await superAdminRoleId(strapi)],
  });
  reader = await createAdmin(strapi, {
    firstname: 'Rita',
    lastname: 'Reader',
    email: 'rita.reader@e2e.test',
    roles: [(await createAdminRole(strapi, [ACTIONS.settingsRead], 'Settings readers')).id],
  });
  await grantMessagingToAuthenticated(strapi);
  users = [];
  for (const name of ['ann', 'bob', 'cat', 'dan']) users.push(await registerUser(server.baseUrl, name));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const openSettings = async (page: Page) => {
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('link', { name: 'Private Messages', exact: true }).click();
  await page.getByRole('heading', { name: 'Private Messages', level: 1 }).waitFor();
  await page.waitForURL('**/admin/settings/private-messages');
};

it('an admin changes a setting, saves, reloads and sees it kept, and the next send obeys it', () =>
  inSession(browser, server.baseUrl, 'settings-edit', async ({ page }) => {
    await login(page, editor.email, editor.password);
    await openSettings(page);

    const maxRecipients = () => page.getByLabel('Maximum recipients of a new thread');
    const save = page.getByRole('button', { name: 'Save', exact: true });
    expect(await maxRecipients().inputValue()).toBe('50');
    expect(await save.isDisabled()).toBe(true);

    // WCAG 2.1 AA (axe-core), as Strapi's own settings pages pass it.
    expect(await accessibilityViolations(page)).toEqual([]);

    // Out of bounds: the page says why and sends nothing.
    await maxRecipients().fill('0');
    await save.click();
    await page.getByText('Enter a number between 1 and 100,000.').waitFor();
    // Its error message too.
    expect(await accessibilityViolations(page)).toEqual([]);
    const stored = await server.strapi.plugin('private-messages').service('settings').get();
    expect(stored.maxRecipients).toBe(50);

    // A valid value, and a role from the real users-permissions roles.
    await maxRecipients().fill('2');
    await page.getByRole('combobox', { name: 'Roles allowed to send' }).click();
    await page.getByRole('option', { name: 'Authenticated' }).click();
    await page.keyboard.press('Escape');
    await save.click();
    await page.getByText('Settings saved').first().waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'Private Messages', level: 1 }).waitFor();
    expect(await maxRecipients().inputValue()).toBe('2');
    await expect(page.getByRole('combobox', { name: 'Roles allowed to send' }).textContent()).resolves.toContain(
      'Authenticated',
    );
    // The chosen role's tag is named after the reload too (a button with only its remove icon otherwise).
    expect(await accessibilityViolations(page)).toEqual([]);

    const authenticated = await roleByType(server.strapi, 'authenticated');
    const saved = await server.strapi.plugin('private-messages').service('settings').get();
    expect(saved).toMatchObject({ maxRecipients: 2, allowedSenderRoles: [authenticated.id] });

    // The very next send is held to the new maximum.
    const [ann, bob, cat, dan] = users;
    const refused = await startThread(server.baseUrl, ann, [bob, cat, dan], 'Hello all three');
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toMatchObject({ code: 'max_recipients', limit: 2 });
    const accepted = await startThread(server.baseUrl, ann, [bob, cat], 'Hello you two');
    expect(accepted.status).toBe(201);

    await pageScreenshot(page, 'settings.png', 2100);
  }));

it('an admin who may read but not update sees the settings read-only', () =>
  inSession(browser, server.baseUrl, 'settings-read-only', async ({ context, page }) => {
    await login(page, reader.email, reader.password);
    await openSettings(page);

    await page.getByText('You may view these settings but not change them.').waitFor();
    expect(await page.getByRole('button', { name: 'Save', exact: true }).count()).toBe(0);
    expect(await page.getByLabel('Maximum recipients of a new thread').isDisabled()).toBe(true);
    expect(await page.getByLabel('Link to a thread in emails').isDisabled()).toBe(true);
    expect(await page.getByLabel('Maximum recipients of a new thread').inputValue()).toBe('2');
    // Role names come from the plugin's own route, readable with settings.read alone.
    await page.getByText('Authenticated').first().waitFor();
    expect(await page.getByText('Role names unavailable').count()).toBe(0);
    // The custom fields the playground declares in config/plugins, listed read-only.
    await page.getByRole('heading', { name: 'Custom fields' }).waitFor();
    await page.getByTestId('pm-declared-fields-thread').getByText('orderId').waitFor();
    await page.getByTestId('pm-declared-fields-message').getByText('priority').waitFor();
    await snapshot(page, 'settings-read-only.png');
    expect(await accessibilityViolations(page)).toEqual([]);

    // The server agrees: reading is allowed, writing is not.
    const token = await adminToken(context);
    expect((await call(server.baseUrl, 'GET', '/private-messages/settings', { token })).status).toBe(200);
    const put = await call(server.baseUrl, 'PUT', '/private-messages/settings', { token, body: { maxRecipients: 9 } });
    expect(put.status).toBe(403);
  }));

