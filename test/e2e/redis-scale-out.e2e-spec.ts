import type { TcpProxy } from '../support/tcp-proxy.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { TEST_JWT_SECRET } from '../support/e2e-env.js';
import {
  commandCalls,
  deleteKeys,
  describeWithRedis,
  freshPrefix,
  REDIS_URL,
  redisUrlThrough,
  startRedisProxy,
  testClient,
  type TestRedisClient,
} from '../support/redis.js';
import { serviceEnv, startServer, type RunningServer } from '../support/server-process.js';
import { sleep } from '../support/session-client.js';

// Two instances of the built service (A and B) on one SQLite file (DATA_DIR) and one Redis key
// prefix, each through its own proxy to Redis that the test can cut. B polls the database only
// once an hour and caches users for an hour: what B learns within a second it learns through Redis.
// A polls every 2 s: the backstop while Redis is down. Propagation times are printed.
jest.setTimeout(120_000);

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'users.cli.js');
const PASSWORD = 'correct horse battery';

let lastOctet = 0;
/** A client address of its own for every request: the address limits stay out of the way. */
const nextIp = () => `198.51.${Math.floor(++lastOctet / 250)}.${(lastOctet % 250) + 1}`;

interface Call {
  token?: string;
  body?: unknown;
  ip?: string;
}

async function call(url: string, method: string, path: string, { token, body, ip = nextIp() }: Call = {}) {
  return fetch(`${url}${path}`, {
    method,
    headers: {
      'X-Forwarded-For': ip,
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

interface Pair {
  token: string;
  refreshToken: string;
}

async function login(url: string, name: string, password = PASSWORD): Promise<Pair> {
  const response = await call(url, 'POST', '/login', { body: { name, password } });
  expect(response.status).toBe(200);
  return (await response.json()) as Pair;
}

const userStatus = async (url: string, token: string) => (await call(url, 'GET', '/user', { token })).status;

/** Milliseconds from `start` until GET /user with `token` is refused (401) on `url`. */
async function refusedAfter(url: string, token: string, start: number, timeoutMs = 10_000): Promise<number> {
  while (Date.now() - start < timeoutMs) {
    if ((await userStatus(url, token)) === 401) {
      return Date.now() - start;
    }
    await sleep(5);
  }
  throw new Error(`still accepted ${timeoutMs} ms later`);
}

/** Runs the built CLI on the instances' database and Redis; resolves when it has exited. */
async function users(cwd: string, env: Record<string, string>, args: string[], stdin = '') {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: serviceEnv(env) });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(stdin);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output, exitedAt: Date.now() };
}

const untilOutput = async (server: RunningServer, pattern: RegExp, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(server.output())) {
    if (Date.now() > deadline) {
      throw new Error(`no ${String(pattern)} in the output within ${timeoutMs} ms:\n${server.output()}`);
    }
    await sleep(20);
  }
};

const report: string[] = [];

await describeWithRedis('Scale-out through Redis (two instances, one database)', () => {
  const prefix = freshPrefix('scale-out');
  const cwd = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-redis-'));
  const shared = {
    DATA_DIR: join(cwd, 'data'),
    JWT_SECRET: TEST_JWT_SECRET,
    REDIS_KEY_PREFIX: prefix,
    TRUST_PROXY: '127.0.0.1',
    SIGNUP_ENABLED: 'true',
    LOGIN_RATE_LIMIT: '10',
    LOGIN_FAILURE_LIMIT: '3',
    REFRESH_REUSE_GRACE: '0',
  };
  const cliEnv = { ...shared, REDIS_URL };
  let proxyA: TcpProxy;
  let proxyB: TcpProxy;
  let a: RunningServer;
  let b: RunningServer;
  let redis: TestRedisClient;

  const signUp = async (name: string) => {
    const response = await call(a.url, 'POST', '/users', { body: { name, password: PASSWORD } });
    expect(response.status).toBe(201);
  };

  beforeAll(async () => {
    redis = await testClient();
    [proxyA, proxyB] = await Promise.all([startRedisProxy(), startRedisProxy()]);
    // One after the other: the first runs the migrations and seeds the database.
    a = await startServer(
      { ...shared, REDIS_URL: redisUrlThrough(proxyA), REVOCATION_POLL_INTERVAL: '2' },
      cwd,
    );
    b = await startServer(
      {
        ...shared,
        REDIS_URL: redisUrlThrough(proxyB),
        REVOCATION_POLL_INTERVAL: '3600',
        USER_CACHE_TTL: '3600',
      },
      cwd,
    );
    await untilOutput(a, /Redis at [^ ]+ connected/);
    await untilOutput(b, /Redis at [^ ]+ connected/);
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) {
      await signUp(name);
    }
  });

  afterAll(async () => {
    const open = [proxyA.openConnections, proxyB.openConnections];
    const codes = await Promise.all([a?.stop(), b?.stop()]);
    for (let i = 0; i < 50 && proxyA.openConnections + proxyB.openConnections > 0; i++) {
      await sleep(20);
    }
    const closed = [proxyA.openConnections, proxyB.openConnections];
    await deleteKeys(redis, prefix);
    await redis.close();
    await Promise.all([proxyA.stop(), proxyB.stop()]);
    console.log(`Redis scale-out measurements:\n  ${report.join('\n  ')}`);
    // Each instance held two connections (commands, subscriber), and closed both on shutdown.
    expect({ open, closed, codes }).toEqual({ open: [2, 2], closed: [0, 0], codes: [0, 0] });
  });

  it('should refuse on B, within 1 s, an access token whose session was logged out on A', async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { token } = await login(a.url, 'alice');
      expect(await userStatus(b.url, token)).toBe(200);
      const start = Date.now();
      expect((await call(a.url, 'POST', '/logout', { token })).status).toBe(204);
      times.push(await refusedAfter(b.url, token, start));
      await sleep(Math.random() * 300);
    }
    report.push(`logout on A -> refused on B: ${times.join(', ')} ms (from the request on A)`);
    expect(Math.max(...times)).toBeLessThan(1000);
  });

  it('should end, on B at once, the other sessions of a password change made on A', async () => {
    const here = await login(a.url, 'bob');
    const there = await login(b.url, 'bob');
    expect(await userStatus(b.url, there.token)).toBe(200);
    const start = Date.now();
    const changed = await call(a.url, 'PUT', '/user/password', {
      token: here.token,
      body: { currentPassword: PASSWORD, newPassword: `${PASSWORD} 2` },
    });
    expect(changed.status).toBe(204);
    const answered = Date.now();
    const ms = await refusedAfter(b.url, there.token, answered);
    report.push(
      `password change on A -> other session refused on B: ${ms} ms after A answered (${answered - start} ms to answer, hashing)`,
    );
    expect(ms).toBeLessThan(1000);
    expect(await userStatus(b.url, here.token)).toBe(200);
  });

  it('should refuse on B, within 1 s, the session a replayed refresh token ended on A', async () => {
    const first = await login(a.url, 'erin');
    const renewed = (await (
      await call(a.url, 'POST', '/refresh', { body: { refreshToken: first.refreshToken } })
    ).json()) as Pair;
    expect(await userStatus(b.url, renewed.token)).toBe(200);
    await sleep(50); // past REFRESH_REUSE_GRACE=0
    const start = Date.now();
    const replay = await call(a.url, 'POST', '/refresh', { body: { refreshToken: first.refreshToken } });
    expect(replay.status).toBe(401);
    const ms = await refusedAfter(b.url, renewed.token, start);
    report.push(`replayed refresh token on A -> session refused on B: ${ms} ms`);
    expect(ms).toBeLessThan(1000);
  });

  it('should refuse on B, within 1 s, the sessions of a user the CLI disables', async () => {
    const { token } = await login(b.url, 'carol');
    expect(await userStatus(b.url, token)).toBe(200);
    const spawned = Date.now();
    let refusedAt = 0;
    const watching = (async () => {
      await refusedAfter(b.url, token, spawned, 30_000);
      refusedAt = Date.now();
    })();
    const result = await users(cwd, cliEnv, ['disable', 'carol']);
    expect(result).toMatchObject({ code: 0 });
    await watching;
    const afterExit = refusedAt - result.exitedAt;
    report.push(
      `CLI disable -> refused on B: ${afterExit} ms after the CLI exited (${refusedAt - spawned} ms after it was started)`,
    );
    expect(afterExit).toBeLessThan(1000);
    expect(
      (await call(b.url, 'POST', '/login', { body: { name: 'carol', password: PASSWORD } })).status,
    ).toBe(400);
  });

  it("should invalidate B's user cache (USER_CACHE_TTL an hour) within 1 s of a CLI rename", async () => {
    const { token } = await login(b.url, 'dave');
    expect(await (await call(b.url, 'GET', '/user', { token })).json()).toMatchObject({ name: 'dave' });
    const result = await users(cwd, cliEnv, ['rename', 'dave', 'david']);
    expect(result.code).toBe(0);
    let name = 'dave';
    while (name === 'dave' && Date.now() - result.exitedAt < 5000) {
      name = ((await (await call(b.url, 'GET', '/user', { token })).json()) as { name: string }).name;
    }
    const ms = Date.now() - result.exitedAt;
    report.push(`CLI rename -> new name on B's GET /user: ${ms} ms after the CLI exited`);
    expect(name).toBe('david');
    expect(ms).toBeLessThan(1000);
  });

  it('should refuse the 11th attempt of a minute from one address on either instance', async () => {
    const ip = nextIp();
    for (let i = 0; i < 10; i++) {
      const response = await call(i % 2 === 0 ? a.url : b.url, 'POST', '/login', {
        ip,
        body: { name: `nobody-${i}`, password: 'wrong password' },
      });
      expect(response.status).toBe(400);
    }
    for (const url of [a.url, b.url]) {
      const refused = await call(url, 'POST', '/login', { ip, body: { name: 'alice', password: PASSWORD } });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    // Another address is not held back.
    expect(
      (await call(b.url, 'POST', '/login', { body: { name: 'alice', password: PASSWORD } })).status,
    ).toBe(200);
  });

  it('should hold an account on both instances after LOGIN_FAILURE_LIMIT failures spread across them', async () => {
    for (const url of [a.url, b.url, a.url]) {
      const failed = await call(url, 'POST', '/login', {
        body: { name: 'frank', password: 'wrong password' },
      });
      expect(failed.status).toBe(400);
    }
    for (const url of [b.url, a.url]) {
      const held = await call(url, 'POST', '/login', { body: { name: 'frank', password: PASSWORD } });
      expect(held.status).toBe(429);
      expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('should answer GET /user without a Redis round trip', async () => {
    const { token } = await login(b.url, 'alice');
    expect(await userStatus(b.url, token)).toBe(200);
    await sleep(200);
    const bytesBefore = proxyB.bytesUp;
    const before = await commandCalls(redis);
    const requests = 3000;
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next++ < requests) {
          const status = await userStatus(b.url, token);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    const after = await commandCalls(redis);
    const sent = proxyB.bytesUp - bytesBefore;
    // INFO commandstats is server-wide: other clients of this Redis (other test runs) count too.
    const delta = [...after]
      .map(([command, calls]) => [command, calls - (before.get(command) ?? 0)] as const)
      .filter(([command, calls]) => calls > 0 && command !== 'info');
    const total = delta.reduce((sum, [, calls]) => sum + calls, 0);
    report.push(
      `${requests} GET /user on B: ${sent} bytes from B to Redis; INFO commandstats, server-wide, ` +
        `excluding the two INFO calls: ${total} (${delta.map(([c, n]) => `${c}=${n}`).join(', ') || 'none'})`,
    );
    expect(statuses).toEqual(new Map([[200, requests]]));
    expect(sent).toBe(0);
    expect(total).toBeLessThan(requests / 100);
  });

  it('should keep answering with Redis down, revoke through the database poll, and recover without restart', async () => {
    const onA = await login(a.url, 'alice');
    const onB = await login(b.url, 'alice');
    expect(await userStatus(b.url, onA.token)).toBe(200);
    expect(await userStatus(a.url, onB.token)).toBe(200);

    const cutAt = Date.now();
    proxyA.cut();
    proxyB.cut();
    await untilOutput(a, /Redis at [^ ]+ is unreachable/);
    await untilOutput(b, /Redis at [^ ]+ is unreachable/);

    // Everything answers: login, refresh, GET /user, logout; throttling counts in memory.
    for (const url of [a.url, b.url]) {
      const pair = await login(url, 'alice');
      const refreshed = await call(url, 'POST', '/refresh', { body: { refreshToken: pair.refreshToken } });
      expect(refreshed.status).toBe(200);
      expect(await userStatus(url, pair.token)).toBe(200);
      expect((await call(url, 'POST', '/login', { body: { name: 'nobody', password: 'x' } })).status).toBe(
        400,
      );
    }
    await untilOutput(a, /throttling falls back to per-instance memory/);
    await untilOutput(b, /throttling falls back to per-instance memory/);

    // Readiness stays 200 (the instance serves without Redis) and says Redis is degraded, and why.
    await sleep(1100);
    const ready = await fetch(`${a.url}/health/ready`);
    expect(ready.status).toBe(200);
    const { details } = (await ready.json()) as { details: { redis: { status: string; message?: string } } };
    expect(details.redis.status).toBe('degraded');
    expect(details.redis.message).toContain('fallback: throttling: per-instance memory');

    // B's logout reaches A by A's database poll (every 2 s).
    const start = Date.now();
    expect((await call(b.url, 'POST', '/logout', { token: onB.token })).status).toBe(204);
    const byPoll = await refusedAfter(a.url, onB.token, start, 6000);
    report.push(`Redis down: logout on B -> refused on A by the database poll (2 s): ${byPoll} ms`);
    expect(byPoll).toBeLessThan(4000);

    // A's logout cannot reach B (which polls hourly) until Redis is back: then B reads what it missed.
    expect((await call(a.url, 'POST', '/logout', { token: onA.token })).status).toBe(204);
    await sleep(1000);
    expect(await userStatus(b.url, onA.token)).toBe(200);

    const restoredAt = Date.now();
    proxyA.restore();
    proxyB.restore();
    const resynced = await refusedAfter(b.url, onA.token, restoredAt, 15_000);
    await untilOutput(a, /reachable again/);
    await untilOutput(b, /reachable again/);
    report.push(
      `Redis restored after ${restoredAt - cutAt} ms: B refused the session A ended during the outage ${resynced} ms later (resync from the database)`,
    );

    // Fan-out works again, and readiness says Redis is up.
    await sleep(1100);
    const readyAgain = (await (await fetch(`${a.url}/health/ready`)).json()) as {
      details: { redis: { status: string } };
    };
    expect(readyAgain.details.redis.status).toBe('up');
    const again = await login(a.url, 'alice');
    expect(await userStatus(b.url, again.token)).toBe(200);
    const logoutAt = Date.now();
    expect((await call(a.url, 'POST', '/logout', { token: again.token })).status).toBe(204);
    const fannedOut = await refusedAfter(b.url, again.token, logoutAt);
    report.push(`after recovery: logout on A -> refused on B: ${fannedOut} ms`);
    expect(fannedOut).toBeLessThan(1000);
    await untilOutput(a, /throttling is shared through Redis again|Redis at [^ ]+ reachable again/);
  });
});
