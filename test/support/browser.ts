import { createServer, type AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findChromium } from './chromium-path.js';

/**
 * Headless, and quiet on the network: without the background-networking flags Chromium floods a
 * closed network with refused connections (see the toolchain notes).
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium (or Google Chrome) for a browser test, failing with the fix when there is none. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
}

/**
 * The real app (test/support/app.ts) on `listenPort` of 127.0.0.1 (0: any free one), and a Chromium to visit it.
 * The app is imported here, not above, so that a spec can set the environment before AppModule
 * is loaded. If Chromium does not start, the app is closed again.
 */
export async function startBrowserApp(listenPort = 0): Promise<{
  app: NestFastifyApplication;
  browser: Browser;
  baseUrl: string;
}> {
  const { createTestApp, httpServer } = await import('./app.js');
  const app = await createTestApp();
  try {
    await app.listen(listenPort, '127.0.0.1');
    const { address, port } = httpServer(app).address() as AddressInfo;
    return { app, browser: await launchChromium(), baseUrl: `http://${address}:${port}` };
  } catch (error) {
    await app.close();
    throw error;
  }
}

/**
 * A port of 127.0.0.1 free now, for a test that must know it before the app starts (WebAuthn's
 * origin, http://localhost:PORT, is checked by the server). Another process could take it in
 * between; on this machine's loopback that has not happened.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A fresh context (no cookies, no storage) and page; every action and navigation waits `timeoutMs`. */
export async function newPage(
  browser: Browser,
  timeoutMs = 10_000,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(timeoutMs);
  context.setDefaultNavigationTimeout(timeoutMs);
  return { context, page: await context.newPage() };
}

/**
 * Records `securitypolicyviolation` events on window (for the current document, in
 * `window.__cspViolations`) and reports each one to the test through an exposed binding, so that
 * violations on a page the test has since navigated away from are not lost.
 */
const CSP_LISTENER = `
  window.__cspViolations = [];
  window.addEventListener('securitypolicyviolation', (event) => {
    const violation = {
      page: location.href,
      directive: event.effectiveDirective,
      blockedURI: event.blockedURI,
      source: event.sourceFile + ':' + event.lineNumber,
      sample: event.sample,
    };
    window.__cspViolations.push(violation);
    if (typeof window.__reportCspViolation === 'function') {
      void window.__reportCspViolation(violation);
    }
  }, true);
`;

/** Calls `onViolation` for every CSP violation on any document the page loads from now on. */
export async function reportCspViolations(
  page: Page,
  onViolation: (violation: unknown) => void,
): Promise<void> {
  await page.exposeFunction('__reportCspViolation', onViolation);
  await page.addInitScript(CSP_LISTENER);
}

/**
 * Adds to `exchanges` each answer the page gets from the app at `baseUrl` ("METHOD /path STATUS"),
 * leaving out the vendored assets: what the page asked of the API, in order.
 */
export function recordExchanges(page: Page, baseUrl: string, exchanges: string[]): void {
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.origin === baseUrl && !url.pathname.startsWith('/vendor/')) {
      exchanges.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
    }
  });
}

/** The CSP violations of the document the page shows now. */
export const currentCspViolations = (page: Page) => page.evaluate<unknown[]>('window.__cspViolations ?? []');

/**
 * Adds to `problems` what the page itself complains about: uncaught errors, a crash, console
 * messages about the Content Security Policy, and console errors unless `expectedError(text,
 * sourceUrl)` says the test caused them on purpose (Chromium logs every >= 400 response).
 */
export function watchPage(
  page: Page,
  problems: string[],
  expectedError: (text: string, sourceUrl: string) => boolean = () => false,
): void {
  page.on('console', (message) => {
    const text = message.text();
    if (text.includes('Content Security Policy')) {
      problems.push(`console ${message.type()} about CSP: ${text}`);
    } else if (message.type() === 'error' && !expectedError(text, message.location().url)) {
      problems.push(`console error: ${text} (at ${message.location().url})`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('crash', () => problems.push('the page crashed'));
}
