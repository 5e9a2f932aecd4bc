import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  currentCspViolations,
  newPage,
  reportCspViolations,
  startBrowserApp,
  watchPage,
} from '../support/browser.js';
import { INVALID_CREDENTIALS } from '../../src/auth/auth.service.js';
import { DEMO_ADMIN } from '../../src/users/admin-seeder.service.js';
import { UsersService } from '../../src/users/users.service.js';

/**
 * The tutorial's walk through the two pages, in a real (Debian) Chromium against the real app
 * on a real port. Every test also fails on anything the browser itself complains about: console
 * errors, uncaught page errors, failed or unexpected >= 400 requests, and CSP violations.
 * The in-page code is passed to Playwright as strings: the test tsconfig has no DOM lib.
 */

/** Machines are shared: generous, but each wait still fails well inside the test's own timeout. */
const TEST_TIMEOUT_MS = 30_000;
const ACTION_TIMEOUT_MS = 10_000;
/** home.js redirects a logged-out visitor after 3 s. */
const REDIRECT_TIMEOUT_MS = 10_000;

const LOGGED_OUT_TEXT = 'You are currently not logged in';
const LOGGED_IN_PREFIX = 'You are currently logged in as: ';

interface AllowedResponse {
  method: string;
  path: string;
  status: number;
}

interface SeenResponse extends AllowedResponse {
  url: string;
}

/** A fresh browser context and page, with every way the browser can report trouble watched. */
interface Session {
  context: BrowserContext;
  page: Page;
  /** Every URL the context requested, in order. */
  requests: string[];
  responses: SeenResponse[];
  dialogs: string[];
  cspViolations: unknown[];
  problems: string[];
  /** Declares a >= 400 response this test expects, so it is not a problem. */
  allow(response: AllowedResponse): void;
  /** Fails the test on anything recorded so far, including the current document's CSP list. */
  assertClean(): Promise<void>;
}

describe('Browser: the tutorial flow', () => {
  let app: NestFastifyApplication | undefined;
  let browser: Browser | undefined;
  let baseUrl: string;
  let session: Session | undefined;

  const url = (path: string) => `${baseUrl}${path}`;
  const pathOf = (href: string) => new URL(href).pathname;
  const sameOrigin = (href: string) => new URL(href).origin === baseUrl;

  async function openSession(): Promise<Session> {
    if (browser === undefined) {
      throw new Error('the browser did not start (see beforeAll)');
    }
    const { context, page } = await newPage(browser, ACTION_TIMEOUT_MS);

    // A logged-out home page: a stale access token gets 401 from /user, and the silent renewal
    // it then tries once gets 401 from /refresh (no live refresh cookie).
    const allowed: AllowedResponse[] = [
      { method: 'GET', path: '/user', status: 401 },
      { method: 'POST', path: '/refresh', status: 401 },
    ];
    const isAllowed = (method: string, href: string, status: number) =>
      sameOrigin(href) &&
      allowed.some((a) => a.method === method && a.path === pathOf(href) && a.status === status);

    const s: Session = {
      context,
      page,
      requests: [],
      responses: [],
      dialogs: [],
      cspViolations: [],
      problems: [],
      allow: (response) => allowed.push(response),
      assertClean: async () => {
        const current = await currentCspViolations(page);
        expect({ problems: s.problems, cspViolations: s.cspViolations, currentDocumentCsp: current }).toEqual(
          {
            problems: [],
            cspViolations: [],
            currentDocumentCsp: [],
          },
        );
      },
    };

    await reportCspViolations(page, (violation) => {
      s.cspViolations.push(violation);
    });

    watchPage(page, s.problems, (text, source) => {
      // Chromium logs every >= 400 response as a console error; the expected ones are not errors.
      const status = /^Failed to load resource: the server responded with a status of (\d{3})\b/.exec(text);
      return (
        status !== null &&
        s.responses.some(
          (r) => r.url === source && r.status === Number(status[1]) && isAllowed(r.method, r.url, r.status),
        )
      );
    });
    page.on('dialog', (dialog) => {
      s.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    context.on('request', (request) => s.requests.push(request.url()));
    context.on('requestfailed', (request) => {
      // ERR_ABORTED is the browser cancelling a request itself, e.g. the favicon of a page the
      // test navigates away from; what the server answers is checked on 'response' below.
      if (sameOrigin(request.url()) && request.failure()?.errorText !== 'net::ERR_ABORTED') {
        s.problems.push(
          `request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`,
        );
      }
    });
    context.on('response', (response) => {
      const method = response.request().method();
      const seen = { method, url: response.url(), path: pathOf(response.url()), status: response.status() };
      s.responses.push(seen);
      if (seen.status >= 400 && !isAllowed(method, seen.url, seen.status)) {
        s.problems.push(`unexpected response: ${method} ${seen.url} -> ${seen.status}`);
      }
    });
    return s;
  }

  /** The text of the home page's status line once it says `text` (a prefix is enough). */
  async function homeMessage(page: Page, text: string): Promise<string | null> {
    const message = page.locator('#message', { hasText: text });
    await message.waitFor({ state: 'visible' });
    return message.textContent();
  }

  /** Logs in through the login page (already open) and waits for the page's own move to `/`. */
  async function logIn(page: Page, name: string, password: string): Promise<void> {
    await page.locator('#name').fill(name);
    await page.locator('#password').fill(password);
    await Promise.all([
      page.waitForURL(url('/'), { waitUntil: 'load' }),
      page.getByRole('button', { name: 'Login' }).click(),
    ]);
  }

  const storedToken = (page: Page) => page.evaluate<string | null>("localStorage.getItem('token')");

  beforeAll(async () => {
    ({ app, browser, baseUrl } = await startBrowserApp());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  }, 30_000);

  beforeEach(async () => {
    session = await openSession();
  }, TEST_TIMEOUT_MS);

  afterEach(async () => {
    await session?.context.close();
    session = undefined;
  }, TEST_TIMEOUT_MS);

  function runningApp(): NestFastifyApplication {
    if (app === undefined) {
      throw new Error('the app did not start (see beforeAll)');
    }
    return app;
  }

  function current(): Session {
    if (session === undefined) {
      throw new Error('no browser session (see beforeEach)');
    }
    return session;
  }

  it(
    'should walk the tutorial: redirect to login, log in as admin, stay logged in on reload, log out',
    async () => {
      const s = current();
      const { page } = s;

      await page.goto(url('/'));
      expect(await homeMessage(page, LOGGED_OUT_TEXT)).toContain(LOGGED_OUT_TEXT);
      // The page moves itself to the login page; the test does not navigate.
      await page.waitForURL(url('/login'), { timeout: REDIRECT_TIMEOUT_MS, waitUntil: 'load' });

      await logIn(page, DEMO_ADMIN.name, DEMO_ADMIN.password);
      expect(await homeMessage(page, LOGGED_IN_PREFIX)).toBe(`${LOGGED_IN_PREFIX}${DEMO_ADMIN.name}`);
      expect(await storedToken(page)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

      await page.reload({ waitUntil: 'load' });
      expect(await homeMessage(page, LOGGED_IN_PREFIX)).toBe(`${LOGGED_IN_PREFIX}${DEMO_ADMIN.name}`);
      // Both home page loads asked the server who is logged in, and were told.
      expect(
        s.responses.filter((r) => r.method === 'GET' && r.path === '/user').map((r) => r.status),
      ).toEqual([200, 200]);

      await Promise.all([
        page.waitForURL(url('/login'), { waitUntil: 'load' }),
        page.getByRole('button', { name: 'Logout' }).click(),
      ]);
      expect(await storedToken(page)).toBeNull();
      expect(s.dialogs).toEqual([]);
      await s.assertClean();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'should offer autocomplete hints and show the server message for a wrong password, staying on /login',
    async () => {
      const s = current();
      const { page } = s;
      s.allow({ method: 'POST', path: '/login', status: 400 });

      await page.goto(url('/login'));
      expect(await page.locator('#name').getAttribute('autocomplete')).toBe('username');
      expect(await page.locator('#password').getAttribute('autocomplete')).toBe('current-password');
      expect(await page.getByRole('alert').isVisible()).toBe(false);

      const navigations: string[] = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) {
          navigations.push(frame.url());
        }
      });

      await page.locator('#name').fill(DEMO_ADMIN.name);
      await page.locator('#password').fill('not-the-password');
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && pathOf(r.url()) === '/login'),
        page.getByRole('button', { name: 'Login' }).click(),
      ]);
      expect(response.status()).toBe(400);
      const body = (await response.json()) as { message?: unknown };
      expect(body.message).toBe(INVALID_CREDENTIALS);

      const alert = page.getByRole('alert');
      await alert.waitFor({ state: 'visible' });
      expect(await alert.textContent()).toBe(INVALID_CREDENTIALS);
      // The button is enabled again once the attempt is over: nothing else is pending.
      await page.waitForFunction("!document.getElementById('login-button').disabled");

      expect(page.url()).toBe(url('/login'));
      expect(navigations).toEqual([]);
      expect(await storedToken(page)).toBeNull();
      expect(
        s.responses.filter((r) => r.path === '/login' && r.method === 'POST').map((r) => r.status),
      ).toEqual([400]);
      await s.assertClean();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'should show a user name full of markup as text, never as HTML',
    async () => {
      const s = current();
      const { page } = s;
      const name = '<img src=x onerror=alert(1)>';
      const password = 'correct horse battery';
      await runningApp().get(UsersService).create(name, password);

      await page.goto(url('/login'));
      await logIn(page, name, password);

      expect(await homeMessage(page, LOGGED_IN_PREFIX)).toBe(`${LOGGED_IN_PREFIX}${name}`);
      expect(await page.locator('.card img').count()).toBe(0);
      expect(await page.locator('#message *').count()).toBe(0);
      expect(s.requests.filter((r) => pathOf(r) === '/x')).toEqual([]);
      expect(s.dialogs).toEqual([]);
      await s.assertClean();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'should load every asset, Bootstrap and Font Awesome included, from the service itself',
    async () => {
      const s = current();
      const { page } = s;

      // The home page without a token, then the login page: both pages' assets.
      await page.goto(url('/'), { waitUntil: 'load' });
      await page.evaluate('document.fonts.ready.then(() => undefined)');
      await page.goto(url('/login'), { waitUntil: 'load' });
      await page.evaluate('document.fonts.ready.then(() => undefined)');

      expect(s.requests.filter((r) => !sameOrigin(r))).toEqual([]);
      const paths = new Set(s.requests.map(pathOf));
      for (const asset of [
        '/vendor/bootstrap/css/bootstrap.min.css',
        '/vendor/fontawesome/css/all.min.css',
        '/vendor/fontawesome/webfonts/fa-solid-900.woff2',
        '/css/app.css',
        '/js/login.js',
        '/js/home.js',
        '/js/session.js',
      ]) {
        expect(paths).toContain(asset);
      }
      const fontResponses = s.responses.filter(
        (r) => r.path === '/vendor/fontawesome/webfonts/fa-solid-900.woff2',
      );
      expect(fontResponses.length).toBeGreaterThan(0);
      expect(fontResponses.every((r) => r.status === 200 || r.status === 304)).toBe(true);

      // Bootstrap applied: the button has Bootstrap's primary colour, not the browser default.
      expect(
        await page.evaluate<string>(
          "getComputedStyle(document.getElementById('login-button')).backgroundColor",
        ),
      ).toBe('rgb(13, 110, 253)');

      const icon = page.locator('i.fa-user-circle');
      const box = await icon.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(0);
      // Font Awesome 7 gives every icon a fixed 1.25em width whether or not its font loaded, so
      // the width alone proves little: check the solid webfont itself is loaded and usable.
      const fontStatuses = await page.evaluate<string[]>(
        `[...document.fonts]
          .filter((face) => face.family.replace(/"/g, '') === 'Font Awesome 7 Free' && face.weight === '900')
          .map((face) => face.status)`,
      );
      expect(fontStatuses).toContain('loaded');
      expect(
        await page.evaluate<boolean>(`document.fonts.check('900 80px "Font Awesome 7 Free"', '\\uf2bd')`),
      ).toBe(true);
      await s.assertClean();
    },
    TEST_TIMEOUT_MS,
  );
});
