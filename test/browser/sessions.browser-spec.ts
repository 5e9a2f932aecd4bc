import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { KeyActions } from '../../src/keys/key-actions.js';
import { newPage, recordExchanges, startBrowserApp, watchPage } from '../support/browser.js';
import { kidOf } from '../support/keys-cli.js';

/**
 * Sessions in a real Chromium: the home page renews an expired access token through the
 * HttpOnly refresh cookie without the user noticing, and "Log out everywhere" in one browser
 * logs out another. Access tokens live 2 s here (set before AppModule is imported).
 */
process.env.ACCESS_TOKEN_TTL = '2';
process.env.JWT_CLOCK_TOLERANCE = '0';

const LOGGED_IN = 'You are currently logged in as: admin';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Tab {
  context: BrowserContext;
  page: Page;
  /** "METHOD path status" of every response from the service, in order. */
  exchanges: string[];
  problems: string[];
}

describe('Browser: sessions', () => {
  let app: NestFastifyApplication;
  let browser: Browser;
  let baseUrl: string;
  const tabs: Tab[] = [];

  beforeAll(async () => {
    ({ app, browser, baseUrl } = await startBrowserApp());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  }, 30_000);

  afterEach(async () => {
    for (const tab of tabs.splice(0)) {
      expect(tab.problems).toEqual([]);
      await tab.context.close();
    }
  });

  async function openTab(): Promise<Tab> {
    const { context, page } = await newPage(browser);
    const tab: Tab = { context, page, exchanges: [], problems: [] };
    recordExchanges(page, baseUrl, tab.exchanges);
    // Chromium logs every 401 as a failed resource; those are the renewal working as designed.
    watchPage(page, tab.problems, (text) => /status of 401/.test(text));
    tabs.push(tab);
    return tab;
  }

  const SECURITY_READS = /^GET \/(user\/(mfa|passkeys|email)|pages\/config) /;

  /**
   * The exchanges of a page load that decide the session: not the page and its assets, nor what
   * the security and address sections read once logged in (GET /user/mfa, GET /user/passkeys,
   * GET /user/email and the public GET /pages/config, after GET /user has succeeded).
   */
  const renewal = (tab: Tab) =>
    tab.exchanges.filter(
      (e) => !e.startsWith('GET / ') && !/\.(js|css|svg)/.test(e) && !SECURITY_READS.test(e),
    );

  async function logIn(tab: Tab): Promise<void> {
    await tab.page.goto(`${baseUrl}/login`);
    await tab.page.fill('#name', 'admin');
    await tab.page.fill('#password', '1234');
    const [response] = await Promise.all([
      tab.page.waitForResponse(
        (r) => new URL(r.url()).pathname === '/login' && r.request().method() === 'POST',
      ),
      tab.page.click('#login-button'),
    ]);
    // The pages ask for the refresh token as a cookie only, so it never reaches page scripts
    // (that this leaves it out of the body is checked in test/e2e/sessions.e2e-spec.ts).
    expect(new URL(response.url()).searchParams.get('refreshToken')).toBe('cookie');
    expect(response.status()).toBe(200);
    await tab.page.waitForURL(`${baseUrl}/`);
    await tab.page.getByText(LOGGED_IN).waitFor();
  }

  it('should renew an expired access token silently and stay logged in', async () => {
    const tab = await openTab();
    await logIn(tab);
    const before = await tab.page.evaluate<string | null>('localStorage.getItem("token")');
    expect(await tab.page.evaluate<string>('document.cookie')).toBe('');

    await sleep(3000); // the 2 s access token has expired
    tab.exchanges.length = 0;
    await tab.page.reload();
    await tab.page.getByText(LOGGED_IN).waitFor();

    expect(renewal(tab)).toEqual(['GET /user 401', 'POST /refresh 200', 'GET /user 200']);
    const after = await tab.page.evaluate<string | null>('localStorage.getItem("token")');
    expect(after).not.toBe(before);
    expect(tab.page.url()).toBe(`${baseUrl}/`);
  }, 30_000);

  it('should keep the user logged in when the key that signed their token is revoked', async () => {
    const tab = await openTab();
    await logIn(tab);
    const before = await tab.page.evaluate<string>('localStorage.getItem("token")');
    // What `npm run keys -- revoke KID` does, in the app the browser talks to.
    const { replacedBy } = await app.get(KeyActions).revoke(kidOf(before));

    tab.exchanges.length = 0;
    await tab.page.reload();
    await tab.page.getByText(LOGGED_IN).waitFor();
    expect(renewal(tab)).toEqual(['GET /user 401', 'POST /refresh 200', 'GET /user 200']);
    const after = await tab.page.evaluate<string>('localStorage.getItem("token")');
    expect(kidOf(after)).toBe(replacedBy);
  }, 30_000);

  it('should log out another browser with "Log out everywhere"', async () => {
    const laptop = await openTab();
    const phone = await openTab();
    await logIn(laptop);
    await logIn(phone);

    await laptop.page.click('#logout-everywhere-button');
    await laptop.page.waitForURL(`${baseUrl}/login`);
    expect(laptop.exchanges).toContain('POST /logout 204');

    // The phone's access token is refused at once, and so is its refresh cookie.
    phone.exchanges.length = 0;
    await phone.page.reload();
    await phone.page.getByText('You are currently not logged in').waitFor();
    expect(phone.exchanges).toEqual(expect.arrayContaining(['GET /user 401', 'POST /refresh 401']));
    await phone.page.waitForURL(`${baseUrl}/login`, { timeout: 10_000 });
  }, 30_000);

  it('should end only this browser session with Logout', async () => {
    const laptop = await openTab();
    const phone = await openTab();
    await logIn(laptop);
    await logIn(phone);

    await laptop.page.click('#logout-button');
    await laptop.page.waitForURL(`${baseUrl}/login`);

    await phone.page.reload();
    await phone.page.getByText(LOGGED_IN).waitFor();
  }, 30_000);
});
