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
import { PRODUCTION_SECRET } from '../support/secrets.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

/**
 * The home page's "Email address" section against the real POST /user/email, in a real Chromium,
 * the mail read back from a real SMTP server: a change (a wrong password first), the link to the
 * new address opened on /verify-email, the notice to the old address; a confirmation another
 * account got to first (409); an account with no address adding one. Each test fails on any
 * console error, page error or CSP violation but the >= 400 answers it provokes on purpose, and
 * on a link token that reaches the server (in a URL's path or query, or a header).
 */

const TEST_TIMEOUT_MS = 90_000;
const PASSWORD = 'correct horse battery';

describe('Browser: changing the email address on the home page', () => {
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

  const recipient = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text;

  /** The first mail from the `from`th on to `to` with `subject`, as it arrives. */
  async function mailTo(to: string, from: number, subject: string): Promise<ParsedMail> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const found = smtp.messages
        .slice(from)
        .find((mail) => recipient(mail) === to && mail.subject === subject);
      if (found !== undefined) {
        return found;
      }
      if (Date.now() > deadline) {
        throw new Error(`no mail to ${to} (${subject}) within 15 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The verify-email link in a delivered mail (its text body), and its token. */
  function linkIn(mail: ParsedMail): { link: string; token: string } {
    const match = new RegExp(`${baseUrl}/verify-email#token=([A-Za-z0-9_-]+)`).exec(mail.text ?? '');
    if (match === null) {
      throw new Error('no verify-email link in the mail');
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

  async function post(path: string, body: unknown): Promise<number> {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return response.status;
  }

  /** A signed-up account (through the API), its address verified from its mailed link. */
  async function account(name: string, email?: string, verify = true): Promise<void> {
    const before = smtp.messages.length;
    expect(await post('/users', { name, password: PASSWORD, email })).toBe(201);
    if (email !== undefined && verify) {
      const { token } = linkIn(await mailTo(email, before, 'Confirm your email address'));
      expect(await post('/email/verify', { token })).toBe(204);
    }
  }

  async function logIn(name: string): Promise<void> {
    await page.goto(`${baseUrl}/login`);
    await page.fill('#name', name);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('#login-button')]);
    await page.locator('#message', { hasText: `You are currently logged in as: ${name}` }).waitFor();
  }

  /** Fills the change form and sends it. */
  async function askForChange(email: string, password: string): Promise<void> {
    await page.locator('#email-new').fill(email);
    await page.locator('#email-password').fill(password);
    await page.locator('#email-change-button').click();
  }

  const status = () => page.locator('#email-status');
  const pending = () => page.locator('#email-pending');

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
    // Chromium logs every >= 400 response: the wrong password and the 409 below are on purpose.
    watchPage(page, problems, (text, source) => {
      const path = new URL(source).pathname;
      return (
        (/status of 400/.test(text) && path === '/user/email') ||
        (/status of 409/.test(text) && path === '/email/verify')
      );
    });
  });

  afterEach(async () => {
    expect({ problems, cspViolations, current: await currentCspViolations(page) }).toEqual({
      problems: [],
      cspViolations: [],
      current: [],
    });
    await context.close();
  });

  it(
    'should refuse a wrong password, then keep the new address pending until its mailed link confirms it, and tell the old one',
    async () => {
      await account('krycek', 'krycek@example.com');
      await logIn('krycek');
      await status().filter({ hasText: 'krycek@example.com (verified)' }).waitFor();
      expect(await pending().isHidden()).toBe(true);

      // A wrong password: a clear error, and nothing changes (no pending address, no mail).
      const beforeWrong = smtp.messages.length;
      await askForChange('alex@example.com', 'not the password');
      await page.getByText('That password is wrong.').waitFor();
      expect(await status().textContent()).toBe('krycek@example.com (verified)');
      expect(await pending().isHidden()).toBe(true);
      expect(await page.locator('#email-new').inputValue()).toBe('alex@example.com');

      // The right one: the new address is pending, the old one still the account's.
      await page.locator('#email-password').fill(PASSWORD);
      await page.locator('#email-change-button').click();
      await page.getByText('We sent a link to alex@example.com.').waitFor();
      expect(await page.getByText('That password is wrong.').isHidden()).toBe(true);
      await pending().filter({ hasText: 'alex@example.com' }).waitFor();
      expect(await pending().textContent()).toMatch(/waiting for confirmation/);
      expect(await status().textContent()).toBe('krycek@example.com (verified)');

      // The link goes to the new address, and only there.
      const mail = await mailTo('alex@example.com', beforeWrong, 'Confirm your email address');
      expect(smtp.messages.slice(beforeWrong).map(recipient)).toEqual(['alex@example.com']);
      const { link, token } = linkIn(mail);
      await page.goto(link);
      await page.getByText('Your email address is confirmed.').waitFor();
      await expectTokenKept(token);

      await Promise.all([
        page.waitForURL(`${baseUrl}/`),
        page.getByRole('link', { name: 'Go to your account' }).click(),
      ]);
      await status().filter({ hasText: 'alex@example.com (verified)' }).waitFor();
      expect(await pending().isHidden()).toBe(true);
      expect(await page.getByRole('button', { name: 'Resend the confirmation link' }).isHidden()).toBe(true);

      // The old address is told, with no link and without the new address.
      const notice = await mailTo('krycek@example.com', beforeWrong, 'Your email address was changed');
      expect(notice.text).not.toMatch(/https?:\/\/|alex@example\.com/);

      expect(exchanges).toEqual(
        expect.arrayContaining([
          'POST /login 200',
          'GET /user/email 200',
          'POST /user/email 400',
          'POST /user/email 202',
          'POST /email/verify 204',
        ]),
      );
      expect(exchanges.filter((exchange) => exchange.startsWith('POST /user/email'))).toEqual([
        'POST /user/email 400',
        'POST /user/email 202',
      ]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "should say so when the address sent is already the account's: the pending change is dropped, no link is claimed",
    async () => {
      await account('skinner', 'skinner@example.com');
      await account('walter', 'walter@example.com', false);
      await logIn('skinner');
      await status().filter({ hasText: 'skinner@example.com (verified)' }).waitFor();
      const before = smtp.messages.length;

      // No change pending: nothing to do, and nothing mailed.
      await askForChange('skinner@example.com', PASSWORD);
      await page.getByText('That is already your address.').waitFor();
      expect(await page.getByText('We sent a link').count()).toBe(0);

      // A pending change, then the current address again: the change is dropped, and the page says so.
      await askForChange('aj@example.com', PASSWORD);
      await pending().filter({ hasText: 'aj@example.com' }).waitFor();
      await askForChange('skinner@example.com', PASSWORD);
      await page
        .getByText('That is already your address: the change to aj@example.com is cancelled.')
        .waitFor();
      expect(await pending().isHidden()).toBe(true);
      expect(await status().textContent()).toBe('skinner@example.com (verified)');
      expect(smtp.messages.slice(before).map(recipient)).toEqual(['aj@example.com']);

      // An unverified address sent again: a new link to it, said as such.
      await page.locator('#logout-button').click();
      await page.waitForURL(`${baseUrl}/login`);
      await logIn('walter');
      await status().filter({ hasText: 'walter@example.com (not verified' }).waitFor();
      const beforeWalter = smtp.messages.length;
      await askForChange('walter@example.com', PASSWORD);
      await page
        .getByText('We sent a new link to walter@example.com. Open it to confirm the address.')
        .waitFor();
      await mailTo('walter@example.com', beforeWalter, 'Confirm your email address');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'should say clearly on /verify-email that another account confirmed the address first (409)',
    async () => {
      await account('diana', 'diana@example.com');
      await logIn('diana');
      await status().filter({ hasText: 'diana@example.com (verified)' }).waitFor();
      const before = smtp.messages.length;
      await askForChange('shared@example.com', PASSWORD);
      await pending().filter({ hasText: 'shared@example.com' }).waitFor();
      const { link, token } = linkIn(
        await mailTo('shared@example.com', before, 'Confirm your email address'),
      );

      // Meanwhile another account takes the address and confirms it.
      await account('jeffrey', 'shared@example.com');

      await page.goto(link);
      await page.getByText('Another account has already confirmed this address').waitFor();
      expect(await page.locator('#status').textContent()).toBe('Your address could not be confirmed.');
      await expectTokenKept(token);
      // Not "send a new link" (a new one would meet the same answer): choose another address.
      expect(await page.getByText('can send a new link').isHidden()).toBe(true);
      await page.getByText('Your address stays as it was').waitFor();

      // The account page: the old address, verified; the refused one still pending, and replaceable.
      await Promise.all([
        page.waitForURL(`${baseUrl}/`),
        page.getByRole('link', { name: 'Go to your account' }).click(),
      ]);
      await status().filter({ hasText: 'diana@example.com (verified)' }).waitFor();
      await pending().filter({ hasText: 'shared@example.com' }).waitFor();
      expect(exchanges).toEqual(expect.arrayContaining(['POST /email/verify 409']));
      expect(smtp.messages.slice(before).map((mail) => mail.subject)).not.toContain(
        'Your email address was changed',
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'should offer an account with no address to add one: pending, then verified, with no notice',
    async () => {
      await account('frohike');
      await logIn('frohike');
      await status().filter({ hasText: 'No email address is set.' }).waitFor();
      expect(await pending().isHidden()).toBe(true);
      expect(await page.getByRole('button', { name: 'Resend the confirmation link' }).isHidden()).toBe(true);
      // Adding, not changing: the form says so.
      expect(await page.locator('#email-new-label').textContent()).toBe('Email address');
      expect(await page.locator('#email-change-button').textContent()).toMatch(/^\s*Add the address\s*$/);

      const before = smtp.messages.length;
      await askForChange('frohike@example.com', PASSWORD);
      await page.getByText('We sent a link to frohike@example.com.').waitFor();
      await pending().filter({ hasText: 'frohike@example.com' }).waitFor();
      // There is no address "above" for it to replace.
      expect(await pending().textContent()).not.toMatch(/replaces/);
      const { link, token } = linkIn(
        await mailTo('frohike@example.com', before, 'Confirm your email address'),
      );

      await page.goto(link);
      await page.getByText('Your email address is confirmed.').waitFor();
      await expectTokenKept(token);
      await Promise.all([
        page.waitForURL(`${baseUrl}/`),
        page.getByRole('link', { name: 'Go to your account' }).click(),
      ]);
      await status().filter({ hasText: 'frohike@example.com (verified)' }).waitFor();
      expect(await pending().isHidden()).toBe(true);
      expect(await page.locator('#email-new-label').textContent()).toBe('New email address');
      expect(smtp.messages.slice(before).map(recipient)).toEqual(['frohike@example.com']);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'should show an unverified address with a pending change to another one, and confirm the new one',
    async () => {
      await account('byers', 'byers@example.com', false);
      await logIn('byers');
      await status().filter({ hasText: 'byers@example.com (not verified' }).waitFor();
      await page.getByRole('button', { name: 'Resend the confirmation link' }).waitFor();

      const before = smtp.messages.length;
      await askForChange('john@example.com', PASSWORD);
      await pending().filter({ hasText: 'john@example.com' }).waitFor();
      expect(await status().textContent()).toMatch(/^byers@example\.com \(not verified/);
      const { link } = linkIn(await mailTo('john@example.com', before, 'Confirm your email address'));
      await page.goto(link);
      await page.getByText('Your email address is confirmed.').waitFor();
      await page.goto(`${baseUrl}/`);
      await status().filter({ hasText: 'john@example.com (verified)' }).waitFor();
      expect(await pending().isHidden()).toBe(true);
      // An unverified address is told nothing.
      expect(smtp.messages.slice(before).map(recipient)).toEqual(['john@example.com']);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('Browser: the address section where mail is off (production without SMTP_URL)', () => {
  const VARIABLES = {
    NODE_ENV: 'production',
    JWT_SECRET: PRODUCTION_SECRET,
    ADMIN_NAME: 'operator',
    ADMIN_PASSWORD: PASSWORD,
    SIGNUP_ENABLED: 'true',
  };
  const saved: Record<string, string | undefined> = {};
  let app: NestFastifyApplication;
  let browser: Browser;
  let baseUrl: string;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const cspViolations: unknown[] = [];
  const exchanges: string[] = [];

  beforeAll(async () => {
    for (const [variable, value] of Object.entries(VARIABLES)) {
      saved[variable] = process.env[variable];
      process.env[variable] = value;
    }
    delete process.env.SMTP_URL;
    ({ app, browser, baseUrl } = await startBrowserApp());
    ({ context, page } = await newPage(browser, 20_000));
    await reportCspViolations(page, (violation) => cspViolations.push(violation));
    recordExchanges(page, baseUrl, exchanges);
    watchPage(page, problems);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
    for (const [variable, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[variable];
      } else {
        process.env[variable] = value;
      }
    }
  }, 30_000);

  it(
    'should show the address state but offer no change and no resend, saying why',
    async () => {
      const created = await fetch(`${baseUrl}/users`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'langly', password: PASSWORD }),
      });
      expect(created.status).toBe(201);
      await page.goto(`${baseUrl}/login`);
      await page.fill('#name', 'langly');
      await page.fill('#password', PASSWORD);
      await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('#login-button')]);
      await page.locator('#email-status', { hasText: 'No email address is set.' }).waitFor();
      await page.getByText('This server sends no mail').waitFor();
      expect(await page.locator('#email-change').isHidden()).toBe(true);
      expect(await page.getByRole('button', { name: 'Resend the confirmation link' }).isHidden()).toBe(true);
      expect(exchanges).toEqual(
        expect.arrayContaining(['POST /login 200', 'GET /user/email 200', 'GET /pages/config 200']),
      );
      expect(exchanges.filter((exchange) => exchange.startsWith('POST /user/email'))).toEqual([]);
      expect({ problems, cspViolations, current: await currentCspViolations(page) }).toEqual({
        problems: [],
        cspViolations: [],
        current: [],
      });
    },
    TEST_TIMEOUT_MS,
  );
});
