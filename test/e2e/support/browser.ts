import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, TMP } from '../../helpers/paths';

/** Debian's chromium (`apt-get install -y chromium`), driven by playwright-core. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

const checkChromium = () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  }
};

export const launchBrowser = async (): Promise<Browser> => {
  checkChromium();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
};

/**
 * Chromium with a profile of its own in `userDataDir` (not an incognito context, as launchBrowser's
 * contexts are): what service workers, push and notifications need, since Chromium refuses
 * notifications to incognito windows.
 */
export const launchProfile = async (userDataDir: string): Promise<BrowserContext> => {
  checkChromium();
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1100, height: 800 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15_000);
  return context;
};

/** A fresh browser session (its own cookies and storage), English, a desktop-sized window. */
export const newSession = async (
  browser: Browser,
  baseUrl: string,
): Promise<{ context: BrowserContext; page: Page }> => {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1440, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  // Nothing outside this Strapi is needed (avatars, Strapi's marketing feeds): answer at once instead of hanging.
  await context.route(
    (url) => url.origin !== new URL(baseUrl).origin,
    (route) => route.fulfill({ status: 404, body: '' }),
  );
  const page = await context.newPage();
  return { context, page };
};

/** Logs in through the real login page and waits for the panel's home page. */
export const login = async (page: Page, email: string, password: string) => {
  await page.goto('/admin/auth/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/admin/auth'), { timeout: 30_000 });
  await page.getByRole('navigation').first().waitFor();
  // Strapi's own announcement banner (new Media Library) takes room in screenshots: close it.
  const banner = page.getByText('Introducing the new Media Library');
  if (await banner.isVisible().catch(() => false)) {
    await page
      .getByRole('button', { name: /close/i })
      .first()
      .click()
      .catch(() => {});
  }
};

/** The admin's access token, as the panel keeps it after logging in (the `jwtToken` cookie). */
export const adminToken = async (context: BrowserContext): Promise<string> => {
  const cookie = (await context.cookies()).find((c) => c.name === 'jwtToken');
  if (!cookie) throw new Error('no jwtToken cookie: not logged in?');
  return decodeURIComponent(cookie.value);
};

/** Where screenshots go: docs/screenshots with UPDATE_SCREENSHOTS=1, else test/.tmp (failures, debugging). */
export const screenshotPath = (name: string) => {
  const dir =
    process.env.UPDATE_SCREENSHOTS === '1' ? path.join(ROOT, 'docs', 'screenshots') : path.join(TMP, 'e2e-screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
};

/**
 * A picture of a whole page for the README: docs/screenshots/<name> with UPDATE_SCREENSHOTS=1,
 * test/.tmp/e2e-screenshots otherwise. The window grows to `height` so the page fits.
 */
export const pageScreenshot = async (page: Page, name: string, height: number) => {
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 1440, height });
  // No hover or focus effect (the menu's tooltips) in the picture.
  await page.mouse.move(1430, 5);
  await page.evaluate('document.activeElement && document.activeElement.blur()');
  await page.keyboard.press('Escape');
  await page.waitForTimeout(300);
  await page.screenshot({ path: screenshotPath(name) });
  if (viewport) await page.setViewportSize(viewport);
};

/** A picture of a step, kept in test/.tmp/e2e-screenshots for whoever debugs a run. */
export const snapshot = async (page: Page, name: string) => {
  const dir = path.join(TMP, 'e2e-screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, name) });
};

/**
 * Runs `fn` in a fresh logged-out browser session; on failure, keeps a screenshot of the page in
 * test/.tmp/e2e-screenshots/failed-<name>.png before rethrowing.
 */
export const inSession = async (
  browser: Browser,
  baseUrl: string,
  name: string,
  fn: (session: { context: BrowserContext; page: Page }) => Promise<void>,
) => {
  const session = await newSession(browser, baseUrl);
  try {
    await fn(session);
  } catch (error) {
    const dir = path.join(TMP, 'e2e-screenshots');
    fs.mkdirSync(dir, { recursive: true });
    await session.page.screenshot({ path: path.join(dir, `failed-${name}.png`) }).catch(() => {});
    throw error;
  } finally {
    await session.context.close();
  }
};
