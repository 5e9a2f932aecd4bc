import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { UsersService } from '../../src/users/users.service.js';
import {
  currentCspViolations,
  newPage,
  recordExchanges,
  reportCspViolations,
  startBrowserApp,
  watchPage,
} from '../support/browser.js';

/**
 * Two-factor authentication in a real Chromium, through the pages only: set it up on the home
 * page (reading the key off the page, the codes computed here as an authenticator app would),
 * log in with the password and a code, then with a recovery code, and turn it off. The test fails
 * on any console error, page error or CSP violation but the one wrong code it sends on purpose.
 */

const NAME = 'two-factor-browser';
const PASSWORD = 'correct horse battery';
const TEST_TIMEOUT_MS = 60_000;

/** The code an app shows `steps` time steps from now (RFC 6238, SHA-1, 6 digits, 30 s). */
const codeFor = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + steps * 30_000 });

describe('Browser: two-factor authentication', () => {
  let app: NestFastifyApplication;
  let browser: Browser;
  let baseUrl: string;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const cspViolations: unknown[] = [];
  const exchanges: string[] = [];

  beforeAll(async () => {
    ({ app, browser, baseUrl } = await startBrowserApp());
    await app.get(UsersService).create(NAME, PASSWORD);
    ({ context, page } = await newPage(browser));
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    await reportCspViolations(page, (violation) => cspViolations.push(violation));
    recordExchanges(page, baseUrl, exchanges);
    // Chromium logs every >= 400 response; the wrong code and the wrong set-up password below are
    // on purpose.
    watchPage(
      page,
      problems,
      (text, source) =>
        /status of 400/.test(text) && ['/login/mfa', '/user/mfa/totp'].includes(new URL(source).pathname),
    );
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
  }, 30_000);

  const status = () => page.locator('#two-factor-status');

  async function logInWithPassword(): Promise<void> {
    await page.goto(`${baseUrl}/login`);
    await page.fill('#name', NAME);
    await page.fill('#password', PASSWORD);
    await page.click('#login-button');
  }

  async function logOut(): Promise<void> {
    await Promise.all([page.waitForURL(`${baseUrl}/login`), page.click('#logout-button')]);
  }

  it(
    'should set up two-factor, log in with a code and with a recovery code, and turn it off',
    async () => {
      await logInWithPassword();
      await page.waitForURL(`${baseUrl}/`);
      await status().getByText('Two-factor authentication is off.').waitFor();

      // Set up, after the current password (the step-up): a wrong one is refused with a message.
      const setupPassword = page.locator('#two-factor-off').getByLabel('Current password');
      await setupPassword.fill('not the password');
      await page.getByRole('button', { name: 'Set up two-factor' }).click();
      await page.locator('#two-factor-error').getByText('That password is wrong.').waitFor();
      expect(await page.locator('#two-factor-enrol').isHidden()).toBe(true);
      // The QR code is the server's SVG, rebuilt as inline nodes (no data: image).
      await setupPassword.fill(PASSWORD);
      await page.getByRole('button', { name: 'Set up two-factor' }).click();
      await page
        .locator('#two-factor-secret')
        .getByText(/^[A-Z2-7]{32}$/)
        .waitFor();
      const secret = (await page.locator('#two-factor-secret').textContent()) ?? '';
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(await page.locator('#two-factor-qr svg path').count()).toBeGreaterThan(0);
      await page.fill('#two-factor-code', codeFor(secret));
      await page.getByRole('button', { name: 'Confirm' }).click();

      const codes = page.locator('#two-factor-code-list li');
      await codes.first().waitFor();
      const recoveryCodes = await codes.allTextContents();
      expect(recoveryCodes).toHaveLength(10);
      recoveryCodes.forEach((code) => expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/));
      await page.getByRole('button', { name: 'Copy' }).click();
      await page.getByText('Copied.').waitFor();
      expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(recoveryCodes.join('\n'));
      await page.getByRole('button', { name: 'Done' }).click();
      await status().getByText('Two-factor authentication is on. Recovery codes left: 10.').waitFor();
      expect(await page.locator('#two-factor-code-list li').count()).toBe(0);

      // Password, then a wrong code (a clear message, still on the code step), then the right one.
      await logOut();
      await logInWithPassword();
      const code = page.locator('#mfa-code');
      await code.waitFor();
      expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await code.getAttribute('inputmode')).toBe('numeric');
      await page.getByText('Authentication code').waitFor();
      const right = codeFor(secret, 1);
      await code.fill(right === '000000' ? '111111' : '000000');
      await page.click('#mfa-button');
      await page.getByText('That code is wrong or was already used').waitFor();
      // The mfaToken's 5th wrong code spends it: back to the password step, with the reason.
      for (let i = 2; i <= 5; i++) {
        await page.click('#mfa-button');
      }
      await page.getByText('Enter your password again').waitFor();
      expect(await page.locator('#mfa-form').isHidden()).toBe(true);
      await page.fill('#password', PASSWORD);
      await page.click('#login-button');
      await code.waitFor();
      // The confirmation spent the current step: the next one is within the accepted drift.
      await code.fill(right);
      await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('#mfa-button')]);
      await status().getByText('Two-factor authentication is on.').waitFor();

      // A recovery code, once (a second TOTP login now could need the step just spent).
      await logOut();
      await logInWithPassword();
      await page.getByRole('button', { name: 'Use a recovery code' }).click();
      await page.getByText('Recovery code', { exact: true }).waitFor();
      await code.fill(recoveryCodes[0]);
      await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('#mfa-button')]);
      await status().getByText('Recovery codes left: 9.').waitFor();

      // Off, with the current password.
      await page.getByRole('button', { name: 'Turn off two-factor' }).click();
      await page.locator('#two-factor-off-form').getByLabel('Current password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Turn off', exact: true }).click();
      await status().getByText('Two-factor authentication is off.').waitFor();

      // A password alone logs in again.
      await logOut();
      await logInWithPassword();
      await page.waitForURL(`${baseUrl}/`);

      expect(exchanges).toEqual(
        expect.arrayContaining([
          'POST /user/mfa/totp 400',
          'POST /user/mfa/totp 200',
          'POST /user/mfa/totp/confirm 200',
          'POST /login/mfa 400',
          'DELETE /user/mfa/totp 204',
        ]),
      );
      expect({ problems, cspViolations, current: await currentCspViolations(page) }).toEqual({
        problems: [],
        cspViolations: [],
        current: [],
      });
    },
    TEST_TIMEOUT_MS,
  );
  it(
    'should offer only a recovery code while authentication codes are locked (MFA_FAILURE_LIMIT)',
    async () => {
      // Set up through the API, then locked as MFA_FAILURE_LIMIT (20) wrong codes would leave it.
      const name = 'two-factor-locked';
      const { id } = await app.get(UsersService).create(name, PASSWORD);
      const post = async (path: string, body: unknown, token?: string) => {
        const response = await fetch(`${baseUrl}${path}`, {
          method: 'POST',
          headers: {
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
            ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        expect(response.status).toBe(200);
        return (await response.json()) as Record<string, unknown>;
      };
      const { token } = (await post('/login', { name, password: PASSWORD })) as { token: string };
      const { secret } = (await post('/user/mfa/totp', { currentPassword: PASSWORD }, token)) as {
        secret: string;
      };
      const { recoveryCodes } = (await post('/user/mfa/totp/confirm', { code: codeFor(secret) }, token)) as {
        recoveryCodes: string[];
      };
      await app
        .get(DataSource)
        .createQueryBuilder()
        .update('totp_credentials')
        .set({ failedAttempts: 20 })
        .where('user_id = :id', { id })
        .execute();

      await page.goto(`${baseUrl}/login`);
      await page.fill('#name', name);
      await page.fill('#password', PASSWORD);
      await page.click('#login-button');
      await page.getByText('Authentication codes are locked after too many wrong ones.').waitFor();
      await page.getByText('Recovery code', { exact: true }).waitFor();
      expect(await page.locator('#mfa-toggle').isHidden()).toBe(true);
      await page.fill('#mfa-code', recoveryCodes[0]);
      await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('#mfa-button')]);
      await logOut();
      expect({ problems, cspViolations, current: await currentCspViolations(page) }).toEqual({
        problems: [],
        cspViolations: [],
        current: [],
      });
    },
    TEST_TIMEOUT_MS,
  );
});
