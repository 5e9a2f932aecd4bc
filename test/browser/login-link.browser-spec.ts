import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Secret } from 'otpauth';
import request from 'supertest';
import { codeForStep, stepAt } from '../../src/mfa/totp.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { emailKey } from '../../src/common/validation/email-address.js';
import { ACCEPTED } from '../../src/users/account-mail.controller.js';
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
import { tokenFor } from '../support/session-client.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

/**
 * A sign-in link in a real Chromium: asked for on /login-link, read back from a real SMTP server,
 * opened; the page clears the token from the address and history, posts it and lands on the home
 * page signed in. The link a second time is refused with a message. No console error (but that
 * one refusal's 400), page error or CSP violation.
 */

const NAME = 'link-browser';
const EMAIL = 'link-browser@example.com';
const PASSWORD = 'correct horse battery';
const TEST_TIMEOUT_MS = 60_000;

describe('Browser: sign-in link', () => {
  let smtp: TestSmtp;
  let app: NestFastifyApplication;
  let browser: Browser;
  let baseUrl: string;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const cspViolations: unknown[] = [];
  const exchanges: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    const port = await freePort();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    process.env.PUBLIC_URL = `http://127.0.0.1:${port}`;
    process.env.EMAIL_LOGIN_ENABLED = 'true';
    ({ app, browser, baseUrl } = await startBrowserApp(port));
    await withVerifiedAddress(NAME, EMAIL);
    ({ context, page } = await newPage(browser));
    await reportCspViolations(page, (violation) => cspViolations.push(violation));
    recordExchanges(page, baseUrl, exchanges);
    watchPage(
      page,
      problems,
      (text, source) => /status of 400/.test(text) && new URL(source).pathname === '/login/link',
    );
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
    await smtp?.close();
    delete process.env.SMTP_URL;
    delete process.env.PUBLIC_URL;
    delete process.env.EMAIL_LOGIN_ENABLED;
  }, 30_000);

  /** An account whose address is verified (the verification flow has tests of its own: account-mail e2e). */
  async function withVerifiedAddress(name: string, email: string): Promise<void> {
    const { id } = await app.get(UsersService).create(name, PASSWORD);
    await app
      .get(DataSource)
      .getRepository('users')
      .update({ id }, { email, emailKey: emailKey(email), emailVerifiedAt: new Date() });
  }

  /**
   * The link of the sign-in mail to `email`, found by subject and recipient: a notice (two-factor
   * turned on) may arrive before or after it, so the mail's place in the list says nothing.
   */
  async function linkIn(email: string): Promise<string> {
    const mail = await smtp.waitForMail({ subject: 'Your sign-in link', to: email });
    const link = /http:\/\/127\.0\.0\.1:\d+\/login-link#token=[A-Za-z0-9_-]+/.exec(mail.text ?? '')?.[0];
    expect(link).toBeDefined();
    return link!;
  }

  it(
    'should mail a link that signs in on the home page, once, leaving no token in the history',
    async () => {
      await page.goto(`${baseUrl}/login-link`);
      await page.getByLabel('Email address').fill(EMAIL);
      await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
      await page.getByText(ACCEPTED.message).waitFor();

      const link = await linkIn(EMAIL);

      // As from a mail client: a fresh document.
      await page.goto('about:blank');
      await page.goto(link);
      await page.waitForURL(`${baseUrl}/`);
      await page.getByText(`You are currently logged in as: ${NAME}`).waitFor();
      // No history entry holds the token: replaceState cleared the link's entry before the post.
      // Chromium keeps that entry only if the page had finished loading when it went home; when the
      // answer came first, the move home was a client redirect and replaced the entry. Either way,
      // going back shows /login-link without a token, or the page before the link.
      await page.goBack();
      if (page.url() !== 'about:blank') {
        await page.waitForURL(`${baseUrl}/login-link`);
        expect(page.url()).toBe(`${baseUrl}/login-link`);
        await page.goBack();
      }
      expect(page.url()).toBe('about:blank');

      // Spent: the same link again is refused, with the way on.
      await page.goto('about:blank');
      await page.goto(link);
      await page.getByText('This sign-in link is invalid, used or expired.').waitFor();
      expect(await page.locator('#request-form').isVisible()).toBe(true);
      expect(page.url()).toBe(`${baseUrl}/login-link`);

      expect(exchanges).toEqual(
        expect.arrayContaining([
          'POST /login/email 202',
          'POST /login/link 200',
          'GET /user 200',
          'POST /login/link 400',
        ]),
      );
      expect(problems).toEqual([]);
      expect(cspViolations).toEqual([]);
      expect(await currentCspViolations(page)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'should ask for the code of an account with two-factor on, then sign in',
    async () => {
      const name = 'link-browser-2fa';
      const email = 'link-browser-2fa@example.com';
      await withVerifiedAddress(name, email);
      const server = app.getHttpServer();
      const bearer = `Bearer ${await tokenFor(server, name, PASSWORD)}`;
      const started = await request(server)
        .post('/user/mfa/totp')
        .set('Authorization', bearer)
        .send({ currentPassword: PASSWORD })
        .expect(200);
      const secret = Buffer.from(Secret.fromBase32((started.body as { secret: string }).secret).bytes);
      const step = stepAt(Date.now());
      await request(server)
        .post('/user/mfa/totp/confirm')
        .set('Authorization', bearer)
        .send({ code: codeForStep(secret, step) })
        .expect(200);
      await request(server).post('/login/email').send({ email }).expect(202);
      const link = await linkIn(email);

      // Signed out: no access token kept, no refresh cookie.
      await page.goto(`${baseUrl}/login-link`);
      await page.evaluate('localStorage.clear()');
      await context.clearCookies();
      await page.goto('about:blank');
      await page.goto(link);
      await page.getByLabel('Authentication code').waitFor();
      expect(page.url()).toBe(`${baseUrl}/login-link`);
      // The confirmation spent this step's code: the next one is within the accepted drift.
      await page.getByLabel('Authentication code').fill(codeForStep(secret, step + 1));
      await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('#mfa-button')]);
      await page.getByText(`You are currently logged in as: ${name}`).waitFor();
      expect(exchanges).toEqual(expect.arrayContaining(['POST /login/mfa 200']));
      expect(problems).toEqual([]);
      expect(cspViolations).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
