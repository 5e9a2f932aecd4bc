import { mkdtempSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { errorBody } from '../support/expected.js';
import { startServer, type RunningServer } from '../support/server-process.js';
import { tokenFor } from '../support/session-client.js';

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

/** A raw answer split into its status, headers (lower-case names, in order) and body. */
function parse(text: string) {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = lines.map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const;
  });
  return {
    statusLine,
    headers: Object.fromEntries(headers),
    names: headers.map(([name]) => name),
    body: rest.join('\r\n\r\n'),
  };
}

/** `count` distinct small headers, `x-0: y` and so on. */
const manyHeaders = (count: number) => Array.from({ length: count }, (_, i) => `x-${i}: y\r\n`).join('');

/** Headers that differ between any two answers, or between a kept-alive answer and a closing one. */
const PER_ANSWER = new Set(['date', 'x-request-id', 'content-length', 'connection', 'keep-alive']);

describe('HTTP server limits', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer(
      { HTTP_REQUEST_TIMEOUT: '2', LOG_LEVEL: 'debug', LOG_FORMAT: 'json' },
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

  /** The headers an answer Fastify makes carries (its security headers among them), but per-answer ones. */
  const everyAnswersHeaders = async () => {
    const { headers } = parse(
      (await raw(server.url, 'GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).text,
    );
    return Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_ANSWER.has(name)));
  };

  /** What every answer written by the parser's handler must be: ours, whole, and closing. */
  const expectRefusal = async (text: string, statusCode: number, message: string) => {
    const { statusLine, headers, body } = parse(text);
    expect(statusLine).toMatch(new RegExp(`^HTTP/1\\.1 ${statusCode} `));
    expect(JSON.parse(body)).toEqual(errorBody(statusCode, expect.any(String) as unknown as string, message));
    expect(headers).toMatchObject({
      ...(await everyAnswersHeaders()),
      'cache-control': 'no-store',
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
      'x-request-id': expect.stringMatching(/^[\da-f-]{36}$/),
    });
  };

  it('should give parser-level answers the headers of every other answer', async () => {
    const normal = await everyAnswersHeaders();
    expect(normal).toHaveProperty('content-security-policy');
    expect(normal).toHaveProperty('strict-transport-security');
    expect(normal).toHaveProperty('cache-control', 'no-store');
    const { text } = await raw(server.url, 'GARBAGE\r\n\r\n');
    await expectRefusal(text, 400, 'request must be well-formed HTTP/1.1');
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
  ])('should answer %s with our JSON 400, close the connection and keep serving', async (_case, bytes) => {
    const { text, closed } = await raw(server.url, bytes);
    expect(closed).toBe(true);
    await expectRefusal(text, 400, 'request must be well-formed HTTP/1.1');
    expect(text).not.toMatch(/node_modules|\bat\s/);
    await stillServes();
  });

  // Every refusal, wherever it is made (Node's parser, its CONNECT and Expect handling, Fastify's
  // router, the onRequest hook, Nest), has the API's body and the headers of every other answer.
  it.each([
    ['an undecodable path', 'GET /% HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a path with a bad escape', 'GET /admin/users/%zz HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a path with a truncated UTF-8 escape', 'GET /login%E0%A4 HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    [
      'a path parameter over 100 characters',
      `GET /admin/users/${'1'.repeat(101)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      414,
    ],
    ['a bad escape in the query', 'GET /nope?a=%zz&%=1 HTTP/1.1\r\nHost: x\r\n\r\n', 404],
    [
      'a bad escape in a query read by a route',
      'GET /admin/users?cursor=%zz HTTP/1.1\r\nHost: x\r\n\r\n',
      401,
    ],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 501],
    ['TRACE', 'TRACE / HTTP/1.1\r\nHost: x\r\n\r\n', 405],
    ['a method the parser knows and no route has', 'PROPFIND /user HTTP/1.1\r\nHost: x\r\n\r\n', 405],
    ['an unknown method', 'FROB / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a lower-case method', 'get / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a header name with a space', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n', 400],
    ['a header over 16 KiB', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`, 431],
    ['an HTTP/0.9 request', 'GET /\r\n\r\n', 400],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400],
    [
      'an expectation other than 100-continue',
      'GET /login HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n',
      417,
    ],
  ])(
    'should answer %s with the JSON error and the headers of every answer',
    async (_case, bytes, statusCode) => {
      const { text } = await raw(server.url, bytes, { keepOpen: true, waitMs: 1_500 });
      const { statusLine, headers, body } = parse(text);
      expect(statusLine).toMatch(new RegExp(`^HTTP/1\\.1 ${statusCode} `));
      expect(JSON.parse(body)).toEqual(
        errorBody(
          statusCode,
          expect.any(String) as unknown as string,
          expect.any(String) as unknown as string,
        ),
      );
      expect(body).not.toMatch(/FST_|%|example\.com|teapot/);
      expect(headers).toMatchObject({
        ...(await everyAnswersHeaders()),
        'cache-control': 'no-store',
        'content-type': 'application/json; charset=utf-8',
        'x-request-id': expect.stringMatching(/^[\da-f-]{36}$/),
      });
      await stillServes();
    },
  );

  it('should answer a header over 16 KiB with our JSON 431 and Connection: close', async () => {
    const { text } = await raw(
      server.url,
      `GET /user HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
    );
    await expectRefusal(text, 431, 'request headers must be at most 16384 bytes');
  });

  it('should answer the next request of a keep-alive agent after a 431 (no socket hang up)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
        const req = httpRequest(`${server.url}${path}`, { agent, headers }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      // Warm the agent: its one socket is reused, as a browser's or a proxy's would be.
      expect((await get('/login')).status).toBe(200);
      const refused = await get('/user', { Authorization: `Bearer ${'a'.repeat(17 * 1024)}` });
      expect(refused.status).toBe(431);
      expect(refused.headers.connection).toBe('close');
      for (let i = 0; i < 5; i++) {
        expect((await get('/login')).status).toBe(200);
      }
    } finally {
      agent.destroy();
    }
  });

  /** `count` headers `x-NN: yyy…`, each name and value together `bytes` long (Node's way to count). */
  const sizedHeaders = (count: number, bytes: number) =>
    Array.from({ length: count }, (_, i) => {
      const name = `x-${String(i).padStart(2, '0')}`;
      return `${name}: ${'y'.repeat(bytes - name.length)}\r\n`;
    }).join('');

  it('should refuse 25 KB of small headers with 431', async () => {
    const headers = 'a: b\r\n'.repeat(4_200);
    expect(headers.length).toBeGreaterThan(25_000);
    const { statusLine, body } = parse(
      (await raw(server.url, `GET /user HTTP/1.1\r\nHost: x\r\n${headers}\r\n`)).text,
    );
    expect(statusLine).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(body)).toMatchObject({ statusCode: 431 });
  });

  // Node's maxHeaderSize counts the URL and header names and values, not ": " and the line ends.
  it('should count the whole head, not only header names and values, against 16 KiB', async () => {
    const headers = sizedHeaders(99, 164);
    const head = `GET /user HTTP/1.1\r\nHost: x\r\n${headers}\r\n`;
    expect('/user'.length + 'Hostx'.length + 99 * 164).toBeLessThan(16_384);
    expect(head.length).toBeGreaterThan(16_384);
    const { statusLine, body } = parse((await raw(server.url, head)).text);
    expect(statusLine).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(body)).toEqual(
      errorBody(431, 'Request Header Fields Too Large', 'request headers must be at most 16384 bytes'),
    );
  });

  it('should accept a head just under 16 KiB made of many headers', async () => {
    const head = `GET /user HTTP/1.1\r\nHost: x\r\n${sizedHeaders(99, 160)}\r\n`;
    expect(head.length).toBeGreaterThan(16_000);
    expect(head.length).toBeLessThanOrEqual(16_384);
    expect(parse((await raw(server.url, head)).text).statusLine).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('should refuse more than 100 headers with 431', async () => {
    const { text } = await raw(server.url, `GET /user HTTP/1.1\r\nHost: x\r\n${manyHeaders(100)}\r\n`);
    const { statusLine, body, headers } = parse(text);
    expect(statusLine).toMatch(/^HTTP\/1\.1 431 /);
    expect(headers).toHaveProperty('content-security-policy');
    expect(JSON.parse(body)).toEqual(
      errorBody(431, 'Request Header Fields Too Large', 'request must have at most 100 header fields'),
    );
  });

  it('should never let a second Authorization header past the 1,000th go unseen', async () => {
    const token = await tokenFor(server.url, 'admin', '1234');
    const head =
      `GET /user HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
      `${manyHeaders(1_100)}Authorization: Bearer someone-else\r\n\r\n`;
    expect(head.length).toBeLessThan(16_384);
    const { statusLine } = parse((await raw(server.url, head)).text);
    expect(statusLine).toMatch(/^HTTP\/1\.1 431 /);
  });

  it.each([
    ['a missing Host', 'GET /login HTTP/1.1\r\n\r\n', 'Host header is required'],
    [
      'two Host headers',
      'GET /login HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
      'Host header must be sent once',
    ],
    [
      'a Host that is not a host',
      'GET /login HTTP/1.1\r\nHost: a b\r\n\r\n',
      'Host header must be a host name or address and an optional port',
    ],
  ])('should answer %s with our JSON 400', async (_case, bytes, message) => {
    const { statusLine, headers, body } = parse((await raw(server.url, bytes)).text);
    expect(statusLine).toMatch(/^HTTP\/1\.1 400 /);
    expect(headers).toHaveProperty('content-security-policy');
    expect(headers).toHaveProperty('x-request-id');
    expect(headers['cache-control']).toBe('no-store');
    expect(JSON.parse(body)).toEqual(errorBody(400, 'Bad Request', message));
  });

  it('should serve an HTTP/1.0 request without Host (RFC 9112 asks Host of HTTP/1.1)', async () => {
    // Kept open: Node aborts a request whose client half-closes before the answer.
    const { text } = await raw(server.url, 'GET /login HTTP/1.0\r\n\r\n', { keepOpen: true });
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
  });

  // Node.js checks request timeouts every connectionsCheckingInterval (1 s here, 30 s by default).
  it('should cut a request that never finishes within about a second of HTTP_REQUEST_TIMEOUT', async () => {
    const started = Date.now();
    const { closed, text } = await raw(server.url, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ', {
      keepOpen: true,
      waitMs: 40_000,
    });
    const elapsed = Date.now() - started;
    expect(closed).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(4_000);
    await expectRefusal(text, 408, 'request must arrive within 2 seconds');
    await stillServes();
  }, 60_000);

  /** Sends `head`, then `body` one byte a second (or only its first half, then nothing). */
  function slowBody(head: string, body: string, { stopHalfway }: { stopHalfway: boolean }) {
    const { port } = new URL(server.url);
    return new Promise<{ text: string; elapsed: number }>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1');
      const started = Date.now();
      let text = '';
      let sent = 0;
      const bytes = stopHalfway ? body.slice(0, body.length / 2) : body;
      const trickle = setInterval(() => sent < bytes.length && socket.write(bytes[sent++]), 1_000);
      const giveUp = setTimeout(() => socket.destroy(), 40_000);
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(trickle);
        clearTimeout(giveUp);
        resolve({ text, elapsed: Date.now() - started });
      });
      socket.write(stopHalfway ? head + bytes : head);
    });
  }

  // The body counts against HTTP_REQUEST_TIMEOUT like the head: Node swaps its headersTimeout
  // (60 s by default) and requestTimeout when the first is larger, which once gave bodies 60 s.
  it.each([
    ['a body trickled one byte a second', false],
    ['a body that stops half-way', true],
  ])(
    'should answer %s with our JSON 408 within about HTTP_REQUEST_TIMEOUT',
    async (_case, stopHalfway) => {
      const body = JSON.stringify({ name: 'someone', password: 'a-password-long-enough' });
      const head =
        'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${body.length}\r\n\r\n`;
      const { text, elapsed } = await slowBody(head, body, { stopHalfway });
      expect(elapsed).toBeGreaterThanOrEqual(1_900);
      expect(elapsed).toBeLessThan(4_500);
      await expectRefusal(text, 408, 'request must arrive within 2 seconds');
      await stillServes();
    },
    60_000,
  );

  it('should log a client that disconnects mid-request at debug, without a stack', async () => {
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(
      'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const lines = server
      .output()
      .split('\n')
      .filter(
        (line) => line.includes('went away') || line.includes('aborted') || line.includes('ECONNRESET'),
      );
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(JSON.parse(line)).toMatchObject({ level: 20, msg: 'client went away mid-request' });
      expect(line).not.toMatch(/stack|\bat\s/);
    }
    expect(server.output()).not.toMatch(/"level":50/);
  });
});
