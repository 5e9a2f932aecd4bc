import type { TcpProxy } from '../support/tcp-proxy.js';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { validateEnv } from '../../src/config/env.schema.js';
import { InstanceEvents, type InstanceEvent } from '../../src/redis/instance-events.js';
import { RedisConnection } from '../../src/redis/redis-connection.js';
import { MemoryLoginAttemptStore, type HoldPolicy } from '../../src/throttling/login-attempts.js';
import { RedisLoginAttemptStore } from '../../src/throttling/redis-login-attempt.store.js';
import { RedisThrottlerStorage } from '../../src/throttling/redis-throttler.storage.js';
import { sleep } from '../support/session-client.js';
import {
  deleteKeys,
  describeWithRedis,
  freshPrefix,
  redisUrlThrough,
  startRedisProxy,
  testClient,
  type TestRedisClient,
} from '../support/redis.js';

// The Redis-backed storages and the instances' channel against a real Redis, through a proxy the
// tests can cut. The services that use them are tested end to end in redis-scale-out.e2e-spec.ts.
jest.setTimeout(30_000);

const until = async (condition: () => boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await sleep(20);
  }
};

await describeWithRedis('Redis storages', () => {
  const prefix = freshPrefix('storage');
  let proxy: TcpProxy;
  let client: TestRedisClient;
  const connections: RedisConnection[] = [];
  let warnings: string[];

  const open = async () => {
    const connection = await RedisConnection.open(
      validateEnv({ REDIS_URL: redisUrlThrough(proxy), REDIS_KEY_PREFIX: prefix }),
    );
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    proxy = await startRedisProxy();
    client = await testClient();
  });

  beforeEach(() => {
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    proxy.restore();
    await Promise.all(connections.splice(0).map((connection) => connection.onApplicationShutdown()));
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await deleteKeys(client, prefix);
    await client.close();
    await proxy.stop();
  });

  describe('RedisThrottlerStorage', () => {
    it('should count hits in the window and block above the limit until the window ends', async () => {
      const storage = new RedisThrottlerStorage(await open());
      for (let i = 1; i <= 3; i++) {
        expect(await storage.increment('window', 1500, 3, 0, 'address')).toMatchObject({
          totalHits: i,
          isBlocked: false,
          timeToBlockExpire: 0,
        });
      }
      const blocked = await storage.increment('window', 1500, 3, 0, 'address');
      expect(blocked).toMatchObject({ totalHits: 4, isBlocked: true, timeToBlockExpire: 2 });
      // Blocked: not counted.
      expect(await storage.increment('window', 1500, 3, 0, 'address')).toMatchObject({
        totalHits: 4,
        isBlocked: true,
      });
      await sleep(1600);
      expect(await storage.increment('window', 1500, 3, 0, 'address')).toMatchObject({
        totalHits: 1,
        isBlocked: false,
      });
    });

    it('should block for blockDuration when one is given, beyond the window', async () => {
      const storage = new RedisThrottlerStorage(await open());
      await storage.increment('duration', 500, 1, 3000, 'address');
      expect(await storage.increment('duration', 500, 1, 3000, 'address')).toMatchObject({
        isBlocked: true,
        timeToBlockExpire: 3,
      });
      await sleep(800);
      expect((await storage.increment('duration', 500, 1, 3000, 'address')).isBlocked).toBe(true);
    });

    it('should keep keys apart, under the prefix, in one hash tag per key, each with a TTL', async () => {
      const storage = new RedisThrottlerStorage(await open());
      await storage.increment('a:1.2.3.4', 60_000, 1, 0, 'address');
      expect((await storage.increment('a:1.2.3.4', 60_000, 1, 0, 'address')).isBlocked).toBe(true);
      expect((await storage.increment('b:1.2.3.4', 60_000, 1, 0, 'address')).isBlocked).toBe(false);
      const hits = `${prefix}throttle:{a%3A1.2.3.4}:hits`;
      const block = `${prefix}throttle:{a%3A1.2.3.4}:block`;
      expect(await client.get(hits)).toBe('2');
      expect(await client.pTTL(hits)).toBeGreaterThan(59_000);
      expect(await client.pTTL(block)).toBeGreaterThan(59_000);
      // Same slot on a Redis Cluster: only the hash tag, from the first { to the next }, is hashed.
      const tag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];
      expect(tag(hits)).toBe('a%3A1.2.3.4');
      expect(tag(block)).toBe(tag(hits));
    });

    it('should count concurrent hits from two connections exactly once each (one script per hit)', async () => {
      const [one, two] = [new RedisThrottlerStorage(await open()), new RedisThrottlerStorage(await open())];
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? one : two).increment('race', 60_000, 50, 0, 'a')),
      );
      expect(results.map((result) => result.totalHits).sort((x, y) => x - y)).toEqual(
        Array.from({ length: 50 }, (_, i) => i + 1).concat(Array<number>(10).fill(51)),
      );
      expect(results.filter((result) => result.isBlocked)).toHaveLength(10);
    });

    it('should fall back to per-instance memory while Redis is unreachable, say so once, and come back', async () => {
      const connection = await open();
      const storage = new RedisThrottlerStorage(connection);
      await storage.increment('fallback', 60_000, 2, 0, 'address');
      await storage.increment('fallback', 60_000, 2, 0, 'address');
      proxy.cut();
      await until(() => !connection.canSend());
      // Memory starts its own count: fail open, never an error.
      expect(await storage.increment('fallback', 60_000, 2, 0, 'address')).toMatchObject({
        totalHits: 1,
        isBlocked: false,
      });
      await storage.increment('fallback', 60_000, 2, 0, 'address');
      expect(
        warnings.filter((line) => line.includes('throttling falls back to per-instance memory')),
      ).toHaveLength(1);
      expect(connection.isUp()).toBe(false);
      expect(connection.details()).toMatchObject({
        status: 'down',
        commands: 'down',
        fallbacks: ['throttling: per-instance memory'],
      });
      proxy.restore();
      await until(() => connection.isUp(), 10_000);
      // Back on Redis, whose count went on from 2.
      expect(await storage.increment('fallback', 60_000, 2, 0, 'address')).toMatchObject({
        totalHits: 3,
        isBlocked: true,
      });
      expect(connection.details()).toMatchObject({ status: 'up', fallbacks: [] });
    });

    it('should not wait more than a second on a Redis that stops answering without closing', async () => {
      const connection = await open();
      const storage = new RedisThrottlerStorage(connection);
      await storage.increment('hang', 60_000, 5, 0, 'address');
      proxy.hang();
      const start = Date.now();
      expect(await storage.increment('hang', 60_000, 5, 0, 'address')).toMatchObject({
        totalHits: 1,
        isBlocked: false,
      });
      expect(Date.now() - start).toBeLessThan(1500);
      expect(warnings).toEqual([
        expect.stringMatching(
          /^throttling falls back to per-instance memory \(throttling: no answer from Redis within 1000 ms\)$/,
        ),
      ]);
    });
  });

  describe('RedisLoginAttemptStore', () => {
    const policy: HoldPolicy = { limit: 3, holdMs: 10_000, windowMs: 900_000 };
    const t0 = 1_800_000_000_000;

    it('should keep the same records as the memory store, failure after failure', async () => {
      const redis = new RedisLoginAttemptStore(await open());
      const memory = new MemoryLoginAttemptStore();
      for (let i = 0; i < 12; i++) {
        const now = t0 + i * 7_000;
        const [fromRedis, fromMemory] = [
          await redis.recordFailure('login:alice', policy, now),
          await memory.recordFailure('login:alice', policy, now),
        ];
        expect(fromRedis).toEqual(fromMemory);
        expect(await redis.get('login:alice')).toEqual(await memory.get('login:alice'));
      }
      expect((await redis.get('login:alice'))?.heldUntil).toBe(t0 + 11 * 7_000 + 900_000);
      await redis.delete('login:alice');
      expect(await redis.get('login:alice')).toBeUndefined();
      expect(await redis.get('login:nobody')).toBeUndefined();
    });

    it('should count concurrent failures from two connections, each once', async () => {
      const [one, two] = [new RedisLoginAttemptStore(await open()), new RedisLoginAttemptStore(await open())];
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? one : two).recordFailure('login:bob', policy, t0),
        ),
      );
      expect(await one.get('login:bob')).toEqual({ failures: 20, heldUntil: t0 + 900_000 });
      const key = `${prefix}login:{login%3Abob}`;
      expect(await client.pTTL(key)).toBeGreaterThan(899_000);
    });

    it('should fall back to memory while Redis is unreachable, never failing', async () => {
      const connection = await open();
      const store = new RedisLoginAttemptStore(connection);
      proxy.cut();
      await until(() => !connection.canSend());
      expect(await store.recordFailure('login:carol', policy, t0)).toEqual({ failures: 1, heldUntil: 0 });
      expect(await store.get('login:carol')).toEqual({ failures: 1, heldUntil: 0 });
      await store.delete('login:carol');
      expect(
        warnings.filter((line) => line.includes('account holds falls back to per-instance memory')),
      ).toHaveLength(1);
    });
  });

  describe(InstanceEvents.name, () => {
    it('should deliver what one process publishes to the others, not to itself', async () => {
      const [a, b] = [new InstanceEvents(await open()), new InstanceEvents(await open())];
      const seen: { by: string; event: InstanceEvent }[] = [];
      for (const [by, events] of [
        ['a', a],
        ['b', b],
      ] as const) {
        events.on('sessions.ended', (event) => seen.push({ by, event }));
        events.on('user.changed', (event) => seen.push({ by, event }));
        events.onModuleInit();
      }
      await until(() => connections.every((connection) => connection.isUp()));
      await sleep(100); // SUBSCRIBE acknowledged
      a.publish({ type: 'sessions.ended', sessionIds: ['s1', 's2'] });
      b.publish({ type: 'user.changed', userId: 7 });
      await until(() => seen.length === 2);
      expect(seen).toEqual(
        expect.arrayContaining([
          { by: 'b', event: expect.objectContaining({ type: 'sessions.ended', sessionIds: ['s1', 's2'] }) },
          { by: 'a', event: expect.objectContaining({ type: 'user.changed', userId: 7 }) },
        ]),
      );
      // A malformed message is ignored with a warning.
      await client.publish(`${prefix}events`, '{"type":"sessions.ended","sessionIds":[1],"origin":"x"}');
      await until(() => warnings.some((line) => line.includes('malformed')));
      expect(seen).toHaveLength(2);
    });

    it('should ask for a resync with the time the subscriber was lost, once it is back', async () => {
      const events = new InstanceEvents(await open());
      const resyncs: Date[] = [];
      events.onResync((since) => resyncs.push(since));
      events.onModuleInit();
      await until(() => resyncs.length === 1); // after the first SUBSCRIBE, from the start
      const cutAt = Date.now();
      proxy.cut();
      await sleep(300);
      proxy.restore();
      await until(() => resyncs.length === 2, 10_000);
      expect(resyncs[1].getTime()).toBeGreaterThanOrEqual(cutAt - 50);
      expect(resyncs[1].getTime()).toBeLessThan(cutAt + 300);
    });

    it('should not fail a publish while Redis is unreachable, and say once that the poll takes over', async () => {
      const connection = await open();
      const events = new InstanceEvents(connection);
      proxy.cut();
      await until(() => !connection.canSend());
      events.publish({ type: 'user.changed', userId: 1 });
      events.publish({ type: 'user.changed', userId: 2 });
      await events.beforeApplicationShutdown();
      expect(
        warnings.filter((line) => line.includes('fan-out falls back to the database poll')),
      ).toHaveLength(1);
    });
  });
});
