import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { newPage, reportCspViolations, startBrowserApp, watchPage } from '../support/browser.js';

/**
 * Swagger UI at /docs in a real (Debian) Chromium against the real app: it must render every
 * operation of the served document, mark which need a token, and run a request, all without a
 * console error, an uncaught page error, a failed or foreign request, or a CSP violation.
 * The in-page code is passed to Playwright as strings: the test tsconfig has no DOM lib.
 */

const TEST_TIMEOUT_MS = 30_000;
const ACTION_TIMEOUT_MS = 10_000;

interface Operation {
  method: string;
  path: string;
  isPublic: boolean;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { security?: unknown[] }>>;
}

/** "POST /login" and whether the operation lifts the document-wide bearer requirement. */
function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      isPublic: Array.isArray(operation.security) && operation.security.length === 0,
    })),
  );
}

/** What Swagger UI rendered: one entry per operation block, with its padlock (if any). */
const RENDERED_OPERATIONS = `[...document.querySelectorAll('#swagger-ui .opblock')].map((block) => ({
  method: block.querySelector('.opblock-summary-method').textContent.trim(),
  path: block.querySelector('.opblock-summary-path').getAttribute('data-path'),
  isPublic: block.querySelector('.opblock-summary .authorization__btn') === null,
}))`;

const byRoute = (a: Operation, b: Operation) =>
  `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`);

describe('Browser: the API docs at /docs', () => {
  let app: NestFastifyApplication | undefined;
  let browser: Browser | undefined;
  let baseUrl: string;
  let context: BrowserContext | undefined;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    ({ app, browser, baseUrl } = await startBrowserApp());
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  }, 30_000);

  beforeEach(async () => {
    if (browser === undefined) {
      throw new Error('the browser did not start (see beforeAll)');
    }
    ({ context, page } = await newPage(browser, ACTION_TIMEOUT_MS));
    problems = [];
    await reportCspViolations(page, (violation) => {
      problems.push(`CSP violation: ${JSON.stringify(violation)}`);
    });
    watchPage(page, problems);
    context.on('request', (request) => {
      if (new URL(request.url()).origin !== baseUrl) {
        problems.push(`request to another origin: ${request.method()} ${request.url()}`);
      }
    });
    context.on('requestfailed', (request) =>
      problems.push(`request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`),
    );
    context.on('response', (response) => {
      if (response.status() >= 400) {
        problems.push(
          `unexpected response: ${response.request().method()} ${response.url()} -> ${response.status()}`,
        );
      }
    });
  }, TEST_TIMEOUT_MS);

  afterEach(async () => {
    await context?.close();
    context = undefined;
  }, TEST_TIMEOUT_MS);

  it(
    'should render every operation of /docs/openapi.json, padlocked unless public, with no console error or CSP violation',
    async () => {
      const response = await page.goto(`${baseUrl}/docs`, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);

      const document = (await (
        await page.request.get(`${baseUrl}/docs/openapi.json`)
      ).json()) as OpenApiDocument;
      const expected = operationsOf(document).sort(byRoute);
      expect(expected.length).toBeGreaterThan(0);
      await page.waitForFunction(
        `document.querySelectorAll('#swagger-ui .opblock').length >= ${expected.length}`,
      );
      const rendered = await page.evaluate<Operation[]>(RENDERED_OPERATIONS);
      expect(rendered.sort(byRoute)).toEqual(expected);
      expect(
        expected.filter((operation) => operation.isPublic).map(({ method, path }) => `${method} ${path}`),
      ).toEqual(expect.arrayContaining(['POST /login', 'POST /refresh']));
      await expect(page.locator('#swagger-ui .btn.authorize').count()).resolves.toBe(1);

      // Give late work (fonts, images, lazy chunks) its chance to complain before judging.
      await page.waitForLoadState('networkidle');
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'should log in from "Try it out" on POST /login with the example body',
    async () => {
      await page.goto(`${baseUrl}/docs`, { waitUntil: 'load' });
      const login = page.locator('#swagger-ui .opblock-post', {
        has: page.locator('.opblock-summary-path[data-path="/login"]'),
      });
      await login.locator('.opblock-summary').click();
      await login.getByRole('button', { name: 'Try it out' }).click();
      const [exchange] = await Promise.all([
        page.waitForResponse(
          (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login',
        ),
        login.getByRole('button', { name: 'Execute' }).click(),
      ]);
      expect(exchange.status()).toBe(200);
      await expect(
        login.locator('.live-responses-table tbody .response-col_status').first().textContent(),
      ).resolves.toContain('200');
      expect(problems).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
