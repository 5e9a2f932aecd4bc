import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { describe } from '@jest/globals';
import { createClient } from 'redis';

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

/**
 * A TCP proxy in front of Redis that a test can cut (every connection dropped, new ones closed
 * at once, as an unreachable Redis looks to the service) and restore. Counts what the service sends.
 */
export class RedisProxy {
  /** Bytes received from the service's side, towards Redis. */
  bytesToRedis = 0;
  private readonly sockets = new Set<Socket>();
  private readonly clients = new Set<Socket>();
  private cut = false;
  private silent = false;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<RedisProxy> {
    const server = createServer();
    const proxy = new RedisProxy(server);
    server.on('connection', (client) => proxy.accept(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('the proxy is not listening');
    }
    return address.port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Drops every connection and refuses new ones until restore(). */
  cutOff(): void {
    this.cut = true;
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.sockets.clear();
  }

  /** Connections from the service open now. */
  get openConnections(): number {
    return [...this.clients].filter((socket) => !socket.destroyed).length;
  }

  restore(): void {
    this.cut = false;
    this.silent = false;
  }

  /** Keeps every connection open but forwards nothing more, as a Redis that hangs or a lost route. */
  blackhole(): void {
    this.silent = true;
  }

  async close(): Promise<void> {
    this.cutOff();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.cut) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: REDIS_HOST, port: REDIS_PORT });
    this.clients.add(client);
    client.on('close', () => this.clients.delete(client));
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      this.bytesToRedis += chunk.length;
      if (!this.silent) {
        upstream.write(chunk);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!this.silent) {
        client.write(chunk);
      }
    });
  }
}
