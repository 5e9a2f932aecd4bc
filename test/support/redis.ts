import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { describe } from '@jest/globals';
import { createClient } from 'redis';
import { TcpProxy } from './tcp-proxy.js';

// Redis for the tests that need one: the development and CI machines run it on 127.0.0.1:6379
// (TEST_REDIS_URL overrides it; docs/testing.md). Every test file uses a fresh key prefix and
// deletes its keys afterwards.

const target = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
export const REDIS_HOST = target.hostname;
export const REDIS_PORT = Number(target.port || 6379);
export const REDIS_URL = `redis://${REDIS_HOST}:${REDIS_PORT}`;

/** Why Redis cannot be used here, or undefined when it answers PING. */
export function redisProblem(timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: REDIS_HOST, port: REDIS_PORT });
    const done = (problem: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => done(`no answer from ${REDIS_URL} within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) =>
      done(
        data.toString().startsWith('+PONG') ? undefined : `${REDIS_URL} answered ${data.toString().trim()}`,
      ),
    );
    socket.once('error', (error) => done(`${REDIS_URL}: ${error.message}`));
  });
}

/**
 * `describe` when Redis answers; otherwise the suite is reported skipped, with the reason printed.
 * With REQUIRE_SERVICES=1 (set by .ci/run, where Redis must run) a missing Redis fails the suite.
 */
export async function describeWithRedis(name: string, body: () => void): Promise<void> {
  const problem = await redisProblem();
  if (problem === undefined) {
    describe(name, body);
    return;
  }
  if (process.env.REQUIRE_SERVICES === '1') {
    throw new Error(`REQUIRE_SERVICES=1 but Redis is unreachable: ${problem}`);
  }
  console.warn(`SKIPPED "${name}": Redis is unreachable (${problem}); start it as docs/testing.md says`);
  describe.skip(name, body);
}

/** A key prefix no other run uses. */
export const freshPrefix = (what: string) => `test-${what}-${randomBytes(6).toString('hex')}:`;

/** A direct client, for checks and cleanup (not through any proxy). */
export async function testClient() {
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export type TestRedisClient = Awaited<ReturnType<typeof testClient>>;

/** Deletes every key under `prefix`. */
export async function deleteKeys(client: TestRedisClient, prefix: string): Promise<number> {
  let deleted = 0;
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
    if (keys.length > 0) {
      deleted += await client.del(keys);
    }
  }
  return deleted;
}

/** The calls of every command so far (INFO commandstats), by command name. */
export async function commandCalls(client: TestRedisClient): Promise<Map<string, number>> {
  const info = await client.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(match[1], Number(match[2]));
  }
  return calls;
}

/** A TcpProxy in front of the tests' Redis; `redisUrlThrough(proxy)` is the URL the service gets. */
export function startRedisProxy(): Promise<TcpProxy> {
  return TcpProxy.start(REDIS_HOST, REDIS_PORT);
}

export const redisUrlThrough = (proxy: TcpProxy): string => `redis://${proxy.host}`;
