import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ParsedMail } from 'mailparser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  currentCspViolations,
  freePort,
  newPage,
  recordExchanges,
  reportCspViolations,
  startBrowserApp,
  watchPage,
} from '../support/browser.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

/**
 * The mail flows through the pages, in a real Chromium against the real app, the mail read back
 * from a real SMTP server: a forgotten password reset from the mailed link, and a sign-up whose
 * address is confirmed from its link. Each test fails on any console error, page error or CSP
 * violation but the >= 400 answers it provokes on purpose, and on a link token that reaches the
 * server (in a URL's path or query, or a header) or stays in the address bar.
 */

const TEST_TIMEOUT_MS = 90_000;
const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

describe('Browser: mail flows (forgot password, sign-up with verification)', () => {
  let app: NestFastifyApplication;
  let browser: Browser;
  let baseUrl: string;
  let smtp: TestSmtp;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let cspViolations: unknown[];
  let exchanges: string[];
  /** Every request the browser sent: its URL without the fragment, and its headers. */
  let sent: { url: string; headers: Record<string, string> }[];

  /** The link to `page` in a delivered mail (its text body), and its token. */
  function linkIn(mail: ParsedMail, target: 'verify-email' | 'reset-password') {
    const match = new RegExp(`${baseUrl}/${target}#token=([A-Za-z0-9_-]+)`).exec(mail.text ?? '');
    if (match === null) {
      throw new Error(`no ${target} link in the mail`);
    }
    return { link: match[0], token: match[1] };
  }

  /** Asserts that `token` never left the browser and is not in the address bar any more. */
  async function expectTokenKept(token: string): Promise<void> {
    const leaks = sent.filter(
      ({ url, headers }) => url.includes(token) || Object.values(headers).some((v) => v.includes(token)),
    );
    expect(leaks).toEqual([]);
    expect(page.url()).not.toContain(token);
    expect(await page.evaluate<string>('location.href')).not.toContain('#');
  }

  beforeAll(async () => {
    smtp = await startSmtp();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    process.env.PUBLIC_URL = baseUrl;
    process.env.SIGNUP_ENABLED = 'true';
    ({ app, browser } = await startBrowserApp(port));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await smtp?.close();
    for (const variable of ['SMTP_URL', 'PUBLIC_URL', 'SIGNUP_ENABLED']) {
      delete process.env[variable];
    }
  }, 30_000);

  beforeEach(async () => {
    ({ context, page } = await newPage(browser, 20_000));
    problems = [];
    cspViolations = [];
    exchanges = [];
    sent = [];
    await reportCspViolations(page, (violation) => cspViolations.push(violation));
    recordExchanges(page, baseUrl, exchanges);
    context.on('request', (request) =>
      sent.push({ url: request.url().split('#')[0], headers: request.headers() }),
    );
    // Chromium logs every >= 400 response: the reused reset link below is on purpose.
    watchPage(
      page,
      problems,
      (text, source) => /status of 400/.test(text) && new URL(source).pathname === '/password/reset',
    );
  });

  afterEach(async () => {
    expect({ problems, cspViolations, current: await currentCspViolations(page) }).toEqual({
      problems: [],
      cspViolations: [],
      current: [],
    });
    await context.close();
  });

  /** A signed-up account with a verified address, made through the API (not the pages). */
  async function accountWithVerifiedEmail(name: string, email: string): Promise<void> {
    const before = smtp.messages.length;
    const created = await fetch(`${baseUrl}/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, password: PASSWORD, email }),
    });
    expect(created.status).toBe(201);
    const { token } = linkIn(await smtp.waitFor(before + 1), 'verify-email');
    const verified = await fetch(`${baseUrl}/email/verify`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(verified.status).toBe(204);
  }

  async function logIn(name: string, password: string): Promise<void> {
    await page.fill('#name', name);
    await page.fill('#password', password);
    await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('#login-button')]);
    await page.locator('#message', { hasText: `You are currently logged in as: ${name}` }).waitFor();
  }

  it(
    'should reset a forgotten password from the mailed link, then log in with the new one',
    async () => {
      await accountWithVerifiedEmail('scully', 'scully@example.com');
      const before = smtp.messages.length;

      // Login page -> "Forgot password?" -> the address -> the fixed "check your mail".
      await page.goto(`${baseUrl}/login`);
      await Promise.all([
        page.waitForURL(`${baseUrl}/forgot-password`),
        page.getByRole('link', { name: 'Forgot password?' }).click(),
      ]);
      await page.getByLabel('Email address').fill('Scully@example.com');
      await page.getByRole('button', { name: 'Send the link' }).click();
      await page.getByText('Check your mail.').waitFor();
      expect(await page.locator('#forgot-form').isHidden()).toBe(true);

      const mail = await smtp.waitFor(before + 1);
      expect(mail.subject).toBe('Reset your password');
      const { link, token } = linkIn(mail, 'reset-password');

      // The link: the page takes the token off the address bar at once.
      await page.goto(link);
      const newPassword = page.getByLabel('New password', { exact: true });
      await newPassword.waitFor();
      expect(page.url()).toBe(`${baseUrl}/reset-password`);
      expect(await page.getByText('At least 8 characters').isVisible()).toBe(true);
      // Two different passwords are caught here, before any request.
      await newPassword.fill(NEW_PASSWORD);
      await page.getByLabel('New password again').fill('something else entirely');
      await page.getByRole('button', { name: 'Set the new password' }).click();
      await page.getByText('The two passwords differ.').waitFor();
      await page.getByLabel('New password again').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Set the new password' }).click();
      await page.getByText('Your password has been changed').waitFor();
      await expectTokenKept(token);

      // Log in with the new password on the login page.
      await Promise.all([
        page.waitForURL(`${baseUrl}/login`),
        page.getByRole('link', { name: 'Go to login' }).click(),
      ]);
      await logIn('scully', NEW_PASSWORD);

      // The link again: spent, a clear message and a way to ask for another.
      await page.goto(link);
      await page.getByLabel('New password', { exact: true }).fill('yet another passphrase');
      await page.getByLabel('New password again').fill('yet another passphrase');
      await page.getByRole('button', { name: 'Set the new password' }).click();
      await page.getByText('This link is invalid, already used or expired. Ask for a new one.').waitFor();
      expect(await page.getByRole('link', { name: 'Ask for a new link' }).getAttribute('href')).toBe(
        '/forgot-password',
      );
      await expectTokenKept(token);
      expect(exchanges).toEqual(
        expect.arrayContaining([
          'POST /password/forgot 202',
          'POST /password/reset 204',
          'POST /login 200',
          'POST /password/reset 400',
        ]),
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'should sign up with an address, confirm it from the mailed link, and show it verified at home',
    async () => {
      const before = smtp.messages.length;
      await page.goto(`${baseUrl}/login`);
      await Promise.all([
        page.waitForURL(`${baseUrl}/signup`),
        page.getByRole('link', { name: 'Create an account' }).click(),
      ]);
      await page.getByLabel('User Name').fill('mulder');
      await page.getByLabel('Email address (optional)').fill('mulder@example.com');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Password again').fill(PASSWORD);
      await Promise.all([
        page.waitForURL(`${baseUrl}/`),
        page.getByRole('button', { name: 'Create the account' }).click(),
      ]);
      await page.locator('#message', { hasText: 'You are currently logged in as: mulder' }).waitFor();
      await page.locator('#email-status', { hasText: 'mulder@example.com (not verified' }).waitFor();
      expect(linkIn(await smtp.waitFor(before + 1), 'verify-email').token).toBeDefined();

      // "Resend" from the home page: a second mail with a new link, which is the one opened.
      await page.getByRole('button', { name: 'Resend the confirmation link' }).click();
      await page.getByText('A new confirmation link is on its way.').waitFor();
      const mail = await smtp.waitFor(before + 2);
      expect(mail.subject).toBe('Confirm your email address');
      expect(mail.to).toMatchObject({ text: 'mulder@example.com' });
      const { link, token } = linkIn(mail, 'verify-email');
      await page.goto(link);
      await page.getByText('Your email address is confirmed.').waitFor();
      await expectTokenKept(token);

      await Promise.all([
        page.waitForURL(`${baseUrl}/`),
        page.getByRole('link', { name: 'Go to your account' }).click(),
      ]);
      await page.locator('#email-status', { hasText: 'mulder@example.com (verified)' }).waitFor();
      expect(await page.getByRole('button', { name: 'Resend the confirmation link' }).isHidden()).toBe(true);
      expect(exchanges).toEqual(
        expect.arrayContaining([
          'POST /users 201',
          'POST /login 200',
          'GET /user/email 200',
          'POST /email/verify/resend 202',
          'POST /email/verify 204',
        ]),
      );
    },
    TEST_TIMEOUT_MS,
  );
});

describe('Browser: sign-up with EMAIL_VERIFICATION_REQUIRED=true', () => {
  let app: NestFastifyApplication;
  let browser: Browser;
  let baseUrl: string;
  let smtp: TestSmtp;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const cspViolations: unknown[] = [];
  const exchanges: string[] = [];
  const VARIABLES = [
    'SMTP_URL',
    'PUBLIC_URL',
    'SIGNUP_ENABLED',
    'SIGNUP_REQUIRE_EMAIL',
    'EMAIL_VERIFICATION_REQUIRED',
  ];

  beforeAll(async () => {
    smtp = await startSmtp();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    process.env.PUBLIC_URL = baseUrl;
    process.env.SIGNUP_ENABLED = 'true';
    process.env.SIGNUP_REQUIRE_EMAIL = 'true';
    process.env.EMAIL_VERIFICATION_REQUIRED = 'true';
    ({ app, browser } = await startBrowserApp(port));
    ({ context, page } = await newPage(browser, 20_000));
    await reportCspViolations(page, (violation) => cspViolations.push(violation));
    recordExchanges(page, baseUrl, exchanges);
    // The logins refused until the address is confirmed are on purpose.
    watchPage(
      page,
      problems,
      (text, source) => /status of 403/.test(text) && new URL(source).pathname === '/login',
    );
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
    await smtp?.close();
    for (const variable of VARIABLES) {
      delete process.env[variable];
    }
  }, 30_000);

  const verifyLink = (mail: ParsedMail) => {
    const match = new RegExp(`${baseUrl}/verify-email#token=[A-Za-z0-9_-]+`).exec(mail.text ?? '');
    if (match === null) {
      throw new Error('no verify-email link in the mail');
    }
    return match[0];
  };

  it(
    'should require the address, hold the login back until it is confirmed, and resend the link from the login page',
    async () => {
      await page.goto(`${baseUrl}/signup`);
      // Required: the label says so, and the page asks before any request.
      const email = page.getByLabel('Email address', { exact: true });
      await email.waitFor();
      expect(await email.getAttribute('required')).not.toBeNull();
      await page.getByLabel('User Name').fill('skinner');
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Password again').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create the account' }).click();
      await page.getByText('Enter your email address.').waitFor();
      await email.fill('skinner@example.com');
      await page.getByRole('button', { name: 'Create the account' }).click();
      // The account exists, but its login waits for the address: the page says what to do.
      await page
        .getByText('We sent a link to skinner@example.com: open it to confirm your address')
        .waitFor();
      const first = await smtp.waitFor(1);

      // The login page explains the refusal and sends a new link.
      await Promise.all([
        page.waitForURL(`${baseUrl}/login`),
        page.getByRole('link', { name: 'Go to login' }).click(),
      ]);
      await page.fill('#name', 'skinner');
      await page.fill('#password', PASSWORD);
      await page.click('#login-button');
      await page.getByText('Confirm your email address first').waitFor();
      await page.getByRole('button', { name: 'Send a new confirmation link' }).click();
      await page.getByText('A new link is on its way.').waitFor();
      const second = await smtp.waitFor(2);
      expect(second.to).toMatchObject({ text: 'skinner@example.com' });
      expect(verifyLink(second)).not.toBe(verifyLink(first));

      await page.goto(verifyLink(second));
      await page.getByText('Your email address is confirmed.').waitFor();
      await page.goto(`${baseUrl}/login`);
      await page.fill('#name', 'skinner');
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('#login-button')]);
      await page.locator('#email-status', { hasText: 'skinner@example.com (verified)' }).waitFor();

      expect(exchanges).toEqual(
        expect.arrayContaining([
          'POST /users 201',
          'POST /login 403',
          'POST /email/verify/resend 202',
          'POST /email/verify 204',
          'POST /login 200',
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
});
