import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { UsersService } from '../../src/users/users.service.js';
import {
  currentCspViolations,
  freePort,
  newPage,
  recordExchanges,
  reportCspViolations,
  startBrowserApp,
  watchPage,
} from '../support/browser.js';

/**
 * Passkeys in a real Chromium, through the pages only, with Chromium's virtual authenticator (CDP
 * WebAuthn domain) standing in for a platform authenticator: log in with the password, add a
 * passkey on the home page, log out, sign in with the login page's passkey button (no name or
 * password typed), then remove it; then the refusal of the removed one and a cancelled ceremony. WebAuthn refuses an IP address as the relying party, so the
 * pages are opened on http://localhost:PORT, the origin the server is told to expect.
 */

const NAME = 'passkey-browser';
const PASSWORD = 'correct horse battery';
const TEST_TIMEOUT_MS = 90_000;

describe('Browser: passkeys', () => {
  let app: NestFastifyApplication;
  let browser: Browser;
  let baseUrl: string;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  const problems: string[] = [];
  const cspViolations: unknown[] = [];
  const exchanges: string[] = [];
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    const port = await freePort();
    baseUrl = `http://localhost:${port}`;
    for (const key of ['WEBAUTHN_RP_ID', 'WEBAUTHN_ORIGIN']) {
      saved[key] = process.env[key];
    }
    process.env.WEBAUTHN_RP_ID = 'localhost';
    process.env.WEBAUTHN_ORIGIN = baseUrl;
    ({ app, browser } = await startBrowserApp(port));
    await app.get(UsersService).create(NAME, PASSWORD);
    ({ context, page } = await newPage(browser, 20_000));
    await reportCspViolations(page, (violation) => cspViolations.push(violation));
    recordExchanges(page, baseUrl, exchanges);
    // Chromium logs every >= 400 response; the removed passkey's refused sign-in and the wrong
    // password before adding one are on purpose.
    watchPage(
      page,
      problems,
      (text, source) =>
        (/status of 401/.test(text) && new URL(source).pathname === '/login/passkey') ||
        (/status of 400/.test(text) && new URL(source).pathname === '/user/passkeys/registration-options'),
    );
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    }));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[key];
      } else {
        process.env[key] = value;
      }
    }
  }, 30_000);

  const status = () => page.locator('#passkeys-status');
  const rows = () => page.locator('#passkeys-list li');

  it(
    'should add a passkey on the home page, sign in with it alone, remove it, and explain a refusal and a cancel',
    async () => {
      await page.goto(`${baseUrl}/login`);
      await page.fill('#name', NAME);
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('#login-button')]);
      await status().getByText('You have no passkey.').waitFor();
      expect(await rows().count()).toBe(0);

      // Add one, after the current password (the step-up): a wrong one is refused with a message
      // before any ceremony; then the virtual authenticator makes a discoverable credential.
      const currentPassword = page.locator('#passkeys-add').getByLabel('Current password');
      await page.fill('#passkeys-name', 'Virtual laptop');
      await currentPassword.fill('not the password');
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await page.locator('#passkeys-error').getByText('That password is wrong.').waitFor();
      expect((await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials).toHaveLength(0);
      await currentPassword.fill(PASSWORD);
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await status().getByText('You have one passkey.').waitFor();
      expect(await rows().count()).toBe(1);
      expect(await page.locator('#passkeys-list .passkey-name').textContent()).toBe('Virtual laptop');
      expect(await rows().first().textContent()).toContain('last used never');
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      expect(credentials).toHaveLength(1);
      expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

      // Log out; sign in with the button alone: the authenticator offers the passkey it holds.
      await Promise.all([page.waitForURL(`${baseUrl}/login`), page.click('#logout-button')]);
      const passkeyButton = page.getByRole('button', { name: 'Sign in with a passkey' });
      await passkeyButton.waitFor();
      expect(await page.inputValue('#name')).toBe('');
      expect(await page.inputValue('#password')).toBe('');
      await Promise.all([page.waitForURL(`${baseUrl}/`), passkeyButton.click()]);
      await page.getByText(`You are currently logged in as: ${NAME}`).waitFor();
      await status().getByText('You have one passkey.').waitFor();
      expect(await rows().first().textContent()).not.toContain('last used never');

      // Remove it.
      await page.getByRole('button', { name: 'Remove the passkey Virtual laptop' }).click();
      await status().getByText('You have no passkey.').waitFor();
      expect(await rows().count()).toBe(0);

      // The authenticator still holds the removed passkey: the server refuses it, with a message.
      await Promise.all([page.waitForURL(`${baseUrl}/login`), page.click('#logout-button')]);
      await passkeyButton.click();
      await page.getByText('That passkey was not accepted.').waitFor();
      // With nothing to offer, the browser ends the ceremony (NotAllowedError), as on a cancel.
      await cdp.send('WebAuthn.clearCredentials', { authenticatorId });
      await passkeyButton.click();
      await page.getByText('The passkey sign-in was cancelled or timed out.').waitFor();
      expect(page.url()).toBe(`${baseUrl}/login`);

      expect(exchanges).toEqual(
        expect.arrayContaining([
          'POST /user/passkeys/registration-options 400',
          'POST /user/passkeys/registration-options 200',
          'POST /user/passkeys 201',
          'POST /login/passkey/options 200',
          'POST /login/passkey 200',
          'POST /login/passkey 401',
        ]),
      );
      expect(exchanges.filter((exchange) => exchange.startsWith('DELETE /user/passkeys/'))).toEqual([
        expect.stringMatching(/ 204$/),
      ]);
      expect({ problems, cspViolations, current: await currentCspViolations(page) }).toEqual({
        problems: [],
        cspViolations: [],
        current: [],
      });
    },
    TEST_TIMEOUT_MS,
  );
});
