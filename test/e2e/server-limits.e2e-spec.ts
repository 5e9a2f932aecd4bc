import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { startServer, type RunningServer } from '../support/server-process.js';

// Limits of the HTTP server itself, on the built service in its own process, over raw sockets:
// what no HTTP client library would send.
jest.setTimeout(30_000);

/** Sends raw bytes and resolves with everything the server answers until it closes (or `waitMs` pass). */
function raw(
  url: string,
  bytes: string | Buffer,
  { keepOpen = false, waitMs = 5_000 } = {},
): Promise<{ text: string; closed: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(port), hostname === 'localhost' ? '127.0.0.1' : hostname);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, waitMs);
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.on('error', () => undefined);
    socket.write(bytes);
    if (!keepOpen) {
      socket.end();
    }
  });
}

describe('HTTP server limits', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer(
      { HTTP_REQUEST_TIMEOUT: '2' },
      mkdtempSync(join(tmpdir(), 'nest-jwt-auth-limits-')),
    );
  });

  afterAll(async () => {
    expect(await server.stop()).toBe(0);
  });

  const stillServes = async () => expect((await fetch(`${server.url}/login`)).status).toBe(200);

  it('should answer request headers over 16 KiB with 431 and keep serving', async () => {
    const response = await fetch(`${server.url}/user`, { headers: { 'X-Big': 'a'.repeat(17 * 1024) } });
    expect(response.status).toBe(431);
    await stillServes();
  });

  it('should accept headers just under the limit', async () => {
    const response = await fetch(`${server.url}/user`, { headers: { 'X-Big': 'a'.repeat(12 * 1024) } });
    expect(response.status).toBe(401);
  });

  it.each([
    ['a garbage request line', 'GARBAGE\r\n\r\n'],
    ['a bad HTTP version', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n'],
    ['a header without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n'],
    [
      'conflicting Content-Length headers',
      'POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}',
    ],
    [
      'Content-Length with Transfer-Encoding',
      'POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    ['a NUL byte in a header', 'GET / HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n'],
  ])('should answer %s with 400 or a closed connection, then keep serving', async (_case, bytes) => {
    const { text, closed } = await raw(server.url, bytes);
    expect(closed).toBe(true);
    if (text !== '') {
      expect(text).toMatch(/^HTTP\/1\.1 400 /);
      expect(text).not.toMatch(/node_modules|\bat\s/);
    }
    await stillServes();
  });

  // Node.js checks request timeouts every 30 s (connectionsCheckingInterval), so a request that
  // never completes is cut after HTTP_REQUEST_TIMEOUT plus at most that interval.
  it('should close a connection whose request never finishes (slow client)', async () => {
    const started = Date.now();
    const { closed, text } = await raw(server.url, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ', {
      keepOpen: true,
      waitMs: 40_000,
    });
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(35_000);
    expect(text === '' || /^HTTP\/1\.1 408 /.test(text)).toBe(true);
    await stillServes();
  }, 60_000);
});
