import { existsSync, mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jest } from '@jest/globals';
import type BetterSqlite3 from 'better-sqlite3';
import { startService, type ServiceProcess } from '../../scripts/lib/service-process.mjs';
import { migrations } from '../../src/database/migrations/index.js';
import { MAIN, serviceEnv } from '../support/server-process.js';
import { PRODUCTION_SECRET } from '../support/secrets.js';

// The health probes and the shutdown of a rolling deploy, on the built service in its own
// process: what a load balancer and an orchestrator see.
jest.setTimeout(60_000);

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3') as typeof BetterSqlite3;

const NEWEST_MIGRATION = migrations[migrations.length - 1].name;
const PASSWORD = 'correct horse battery staple';
const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: PRODUCTION_SECRET,
  HOST: '127.0.0.1',
  ADMIN_NAME: 'operator',
  ADMIN_PASSWORD: PASSWORD,
  LOG_LEVEL: 'info',
};

interface HealthBody {
  status: string;
  info: Record<string, Record<string, unknown>>;
  error: Record<string, Record<string, unknown>>;
  details: Record<string, Record<string, unknown>>;
}

interface LogLine {
  level: number;
  time: number;
  msg?: string;
  context?: string;
  req?: { path?: string };
}

const workdir = () => mkdtempSync(join(tmpdir(), 'nest-jwt-auth-health-'));

async function start(env: Record<string, string>, cwd = workdir()): Promise<ServiceProcess> {
  // Throttling off: these tests log in many times from one address.
  return startService({
    env: serviceEnv({ DATA_DIR: join(cwd, 'data'), ...env }),
    cwd,
    host: '127.0.0.1',
  });
}

const jsonLines = (service: ServiceProcess) =>
  service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);

const probe = async (url: string, path: string) => {
  const response = await fetch(`${url}${path}`);
  return { response, body: (await response.json()) as HealthBody };
};

const login = (url: string, name: string, password: string) =>
  fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }),
  }).then((response) => response.status);

/**
 * A login whose body is sent in two halves, the second when `rest` resolves: a request in flight
 * for as long as the test wants. Resolves with its status.
 */
function slowLogin(url: string, name: string, password: string, rest: Promise<void>): Promise<number> {
  const body = Buffer.from(JSON.stringify({ name, password }));
  return new Promise((resolve, reject) => {
    const call = httpRequest(
      `${url}/login`,
      {
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
      },
      (response) => {
        response.resume();
        response.once('end', () => resolve(response.statusCode ?? 0));
      },
    );
    call.once('error', reject);
    call.write(body.subarray(0, 10));
    void rest.then(() => call.end(body.subarray(10)));
  });
}

/** Resolves once a new TCP connection to `url` is refused: the listener has closed. */
async function closedListener(url: string): Promise<void> {
  const { hostname, port } = new URL(url);
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), hostname);
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    if (refused) {
      return;
    }
    await sleep(20);
  }
}

beforeAll(() => {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: run the tests with \`npm test\`, which builds first`);
  }
});

describe('GET /health/live and GET /health/ready', () => {
  const cwd = workdir();
  let service: ServiceProcess;
  let url: string;
  let db: BetterSqlite3.Database;

  beforeAll(async () => {
    service = await start(PRODUCTION, cwd);
    url = service.url!;
    db = new Database(join(cwd, 'data', 'auth.sqlite'));
  });

  afterAll(async () => {
    db?.close();
    await service?.stop();
  });

  /** Polls readiness until it answers `status` (its checks are cached for a second). */
  const readyUntil = async (status: number) => {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const answer = await probe(url, '/health/ready');
      if (answer.response.status === status || Date.now() > deadline) {
        return answer;
      }
      await sleep(100);
    }
  };

  it('should answer liveness 200 as JSON, without a token, never cached', async () => {
    const { response, body } = await probe(url, '/health/live');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('should answer readiness 200: the database up and migrated, Redis disabled', async () => {
    const { response, body } = await probe(url, '/health/ready');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('retry-after')).toBeNull();
    expect(body).toEqual({
      status: 'ok',
      info: body.details,
      error: {},
      details: {
        database: { status: 'up', responseTime: expect.any(Number) },
        migrations: { status: 'up', applied: migrations.length, responseTime: expect.any(Number) },
        redis: { status: 'disabled' },
      },
    });
  });

  it("should answer 503 with terminus' body while the database lacks a migration of this release, and 200 once it has it", async () => {
    // What a database restored from before the newest migration looks like to this release.
    const row = db.prepare('SELECT * FROM migrations WHERE name = ?').get(NEWEST_MIGRATION) as object;
    db.prepare('DELETE FROM migrations WHERE name = ?').run(NEWEST_MIGRATION);
    const { response, body } = await readyUntil(503);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    // Not the exception filter's {statusCode, error, message} for a 5xx ("internal server error").
    expect(body).not.toHaveProperty('statusCode');
    expect(body).toEqual({
      status: 'error',
      info: { database: expect.objectContaining({ status: 'up' }), redis: { status: 'disabled' } },
      error: {
        migrations: {
          status: 'down',
          message: `pending: ${NEWEST_MIGRATION}`,
          responseTime: expect.any(Number),
        },
      },
      details: expect.objectContaining({ migrations: expect.objectContaining({ status: 'down' }) }),
    });
    // Liveness does not depend on the database.
    expect((await probe(url, '/health/live')).response.status).toBe(200);

    db.prepare('INSERT INTO migrations (id, timestamp, name) VALUES (@id, @timestamp, @name)').run(row);
    expect((await readyUntil(200)).response.status).toBe(200);
  });

  it('should stay ready when a newer release has migrated the shared database, listing what it added', async () => {
    const newer = 'FromTheNextRelease1999999999999';
    db.prepare('INSERT INTO migrations (timestamp, name) VALUES (?, ?)').run(1999999999999, newer);
    try {
      await sleep(1_100); // the cached check expires
      const { response, body } = await probe(url, '/health/ready');
      expect(response.status).toBe(200);
      expect(body.details.migrations).toEqual({
        status: 'up',
        applied: migrations.length + 1,
        newer: [newer],
        responseTime: expect.any(Number),
      });
    } finally {
      db.prepare('DELETE FROM migrations WHERE name = ?').run(newer);
    }
  });

  it('should leave no request line at info for the probes, one line when readiness changes, and request lines for the rest', async () => {
    for (let i = 0; i < 5; i++) {
      await probe(url, '/health/live');
      await probe(url, '/health/ready');
    }
    expect((await fetch(`${url}/user`)).status).toBe(401);
    expect(await service.stop()).toEqual({ code: 0, signal: null });
    const lines = jsonLines(service);
    const requests = lines.filter((line) => line.msg === 'request completed');
    expect(requests.filter((line) => line.req?.path?.startsWith('/health/'))).toEqual([]);
    expect(requests.filter((line) => line.req?.path === '/user')).toEqual([
      expect.objectContaining({ level: 30 }),
    ]);
    const readiness = lines.filter((line) => line.context === 'Readiness');
    expect(readiness.map(({ level, msg }) => [level, msg])).toEqual([
      [40, 'not ready'],
      [30, 'ready again'],
    ]);
  });
});

describe('Shutdown', () => {
  it('should leave every request line in the log when SIGTERM comes right after a burst (the log is written asynchronously)', async () => {
    const service = await start({ ...PRODUCTION, SHUTDOWN_DELAY: '0' });
    const url = service.url!;
    // 2,000 answered requests, 50 at a time, then SIGTERM at once: lines still queued in pino's
    // asynchronous destination must be flushed before the process exits.
    const sent = 2_000;
    for (let done = 0; done < sent; done += 50) {
      await Promise.all(Array.from({ length: 50 }, () => fetch(`${url}/user`).then((r) => r.arrayBuffer())));
    }
    expect(await service.stop()).toEqual({ code: 0, signal: null });
    const lines = jsonLines(service).filter(
      (line) => line.msg === 'request completed' && line.req?.path === '/user',
    );
    expect(lines).toHaveLength(sent);
  });

  it('should answer readiness 503 at once on SIGTERM, keep serving SHUTDOWN_DELAY seconds, finish what is in flight, close, exit 0', async () => {
    const service = await start({ ...PRODUCTION, SHUTDOWN_DELAY: '2' });
    const url = service.url!;
    expect((await probe(url, '/health/ready')).response.status).toBe(200);

    const before = Array.from({ length: 4 }, () => login(url, 'operator', PASSWORD));
    await sleep(10);
    service.child.kill('SIGTERM');
    const signalled = performance.now();

    let notReady: Awaited<ReturnType<typeof probe>>;
    for (;;) {
      notReady = await probe(url, '/health/ready');
      if (notReady.response.status === 503) {
        break;
      }
    }
    const toNotReady = performance.now() - signalled;
    expect(notReady.body).toEqual({
      status: 'shutting_down',
      info: {},
      error: { shutdown: { status: 'down', message: expect.stringContaining('draining after SIGTERM') } },
      details: { shutdown: expect.objectContaining({ status: 'down' }) },
    });
    expect(notReady.response.headers.get('cache-control')).toBe('no-store');
    // Keep-alive clients are told to reconnect, through the load balancer, elsewhere.
    expect(notReady.response.headers.get('connection')).toBe('close');
    expect(toNotReady).toBeLessThan(200);

    // Still serving during the delay.
    await sleep(1_000 - (performance.now() - signalled));
    expect((await probe(url, '/health/live')).response.status).toBe(200);
    expect(await login(url, 'operator', PASSWORD)).toBe(200);

    // In flight when the listener closes, 2 s after the signal: logins hashing, and one whose
    // body is still arriving (its second half is sent once the listener is closed).
    await sleep(1_900 - (performance.now() - signalled));
    let listenerClosed!: () => void;
    const afterClose = new Promise<void>((resolve) => (listenerClosed = resolve));
    const slow = slowLogin(url, 'operator', PASSWORD, afterClose);
    const during = Array.from({ length: 8 }, () => login(url, 'operator', PASSWORD));
    await closedListener(url);
    const toClosed = performance.now() - signalled;
    listenerClosed();
    const exit = await service.exited;
    const toExit = performance.now() - signalled;

    expect(await Promise.all(before)).toEqual([200, 200, 200, 200]);
    expect(await Promise.all(during)).toEqual(Array(8).fill(200));
    expect(await slow).toBe(200);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(toClosed).toBeGreaterThanOrEqual(1_950);
    expect(toClosed).toBeLessThan(2_600);
    expect(toExit).toBeLessThan(3_500);

    const lines = jsonLines(service);
    const closing = lines.find((line) => line.msg?.startsWith('closing'))!;
    const logins = lines.filter((line) => line.msg === 'request completed' && line.req?.path === '/login');
    expect(logins).toHaveLength(14);
    const afterClosing = logins.filter((line) => line.time >= closing.time).length;
    expect(afterClosing).toBeGreaterThanOrEqual(1);
    console.log(
      `SIGTERM to readiness 503: ${toNotReady.toFixed(0)} ms; to a closed listener: ${toClosed.toFixed(0)} ms; ` +
        `to exit: ${toExit.toFixed(0)} ms; logins answered after closing began: ${afterClosing} of 9`,
    );
  });

  it('should exit promptly outside production (no delay), answering the logins in flight first', async () => {
    const service = await start({});
    const url = service.url!;
    const inFlight = Array.from({ length: 4 }, () => login(url, 'admin', '1234'));
    let signalled = 0;
    const slow = slowLogin(
      url,
      'admin',
      '1234',
      sleep(100)
        .then(() => {
          service.child.kill('SIGTERM');
          signalled = performance.now();
        })
        .then(() => sleep(200)),
    );
    const exit = await service.exited;
    const toExit = performance.now() - signalled;
    // Before this fix the hashing pool was destroyed under them: 400 "invalid name or password".
    expect(await Promise.all(inFlight)).toEqual([200, 200, 200, 200]);
    expect(await slow).toBe(200);
    expect(exit).toEqual({ code: 0, signal: null });
    // Keep-alive connections busy at close do not hold the process (the client's 4 s idle timeout).
    expect(toExit).toBeLessThan(1_500);
    console.log(`SHUTDOWN_DELAY=0: exit ${toExit.toFixed(0)} ms after SIGTERM, 5 logins in flight`);
  });

  it('should close without waiting out the delay on a second SIGTERM', async () => {
    const service = await start({ ...PRODUCTION, SHUTDOWN_DELAY: '30' });
    const url = service.url!;
    service.child.kill('SIGTERM');
    for (;;) {
      if ((await probe(url, '/health/ready')).response.status === 503) {
        break;
      }
    }
    service.child.kill('SIGTERM');
    const signalled = performance.now();
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalled).toBeLessThan(1_500);
  });
});
