import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { LuaScript, RedisConnection } from '../../src/redis/redis-connection.js';
import { RedisThrottlerStorage } from '../../src/throttling/redis-throttler.storage.js';

// The script itself runs against a real Redis in test/e2e/redis-storage.e2e-spec.ts.
describe(RedisThrottlerStorage.name, () => {
  let storage: RedisThrottlerStorage;
  let connection: {
    prefix: string;
    canSend: jest.Mock<() => boolean>;
    run: jest.Mock<(script: LuaScript, keys: string[], args: string[]) => Promise<unknown>>;
    fellBack: jest.Mock<(what: string, instead: string, error?: unknown) => void>;
    backOnRedis: jest.Mock<(what: string) => void>;
  };
  let standIn: { increment: jest.Mock<() => Promise<unknown>> };
  const fromMemory = { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 };

  beforeEach(() => {
    connection = {
      prefix: 'p:',
      canSend: jest.fn<() => boolean>().mockReturnValue(true),
      run: jest.fn<(script: LuaScript, keys: string[], args: string[]) => Promise<unknown>>(),
      fellBack: jest.fn(),
      backOnRedis: jest.fn(),
    };
    standIn = { increment: jest.fn<() => Promise<unknown>>().mockResolvedValue(fromMemory) };
    storage = new RedisThrottlerStorage(
      connection as unknown as RedisConnection,
      standIn as unknown as ConstructorParameters<typeof RedisThrottlerStorage>[1],
    );
  });

  it('should run one script on two keys in one hash tag, the key escaped, and report seconds', async () => {
    connection.run.mockResolvedValue([11, 42_001, 42_001]);
    await expect(storage.increment('address:Auth.login:{x}', 60_000, 10, 0, 'address')).resolves.toEqual({
      totalHits: 11,
      timeToExpire: 43,
      isBlocked: true,
      timeToBlockExpire: 43,
    });
    const [, keys, args] = connection.run.mock.calls[0];
    expect(keys).toEqual([
      'p:throttle:{address%3AAuth.login%3A%7Bx%7D}:hits',
      'p:throttle:{address%3AAuth.login%3A%7Bx%7D}:block',
    ]);
    expect(args).toEqual(['60000', '10', '0']);
    expect(connection.backOnRedis).toHaveBeenCalledWith('throttling');
  });

  it('should not be blocked while the script reports no block', async () => {
    connection.run.mockResolvedValue([3, 59_000, 0]);
    await expect(storage.increment('k', 60_000, 10, 0, 'address')).resolves.toEqual({
      totalHits: 3,
      timeToExpire: 59,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('should count in memory, and say so, while commands cannot be sent', async () => {
    connection.canSend.mockReturnValue(false);
    await expect(storage.increment('k', 60_000, 10, 0, 'address')).resolves.toBe(fromMemory);
    expect(connection.run).not.toHaveBeenCalled();
    expect(connection.fellBack).toHaveBeenCalledWith('throttling', 'per-instance memory');
  });

  it('should count in memory when the script fails (a timeout, an error reply), never throwing', async () => {
    const error = new Error('Command timeout');
    connection.run.mockRejectedValue(error);
    await expect(storage.increment('k', 60_000, 10, 0, 'address')).resolves.toBe(fromMemory);
    expect(connection.fellBack).toHaveBeenCalledWith('throttling', 'per-instance memory', error);
  });
});
