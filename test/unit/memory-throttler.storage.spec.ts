import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryThrottlerStorage } from '../../src/throttling/memory-throttler.storage.js';

describe(MemoryThrottlerStorage.name, () => {
  let storage: MemoryThrottlerStorage;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_800_000_000_000 });
    storage = new MemoryThrottlerStorage();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('should count hits in the window and block above the limit until the window ends', async () => {
    for (let i = 1; i <= 3; i++) {
      expect(await storage.increment('k', 60_000, 3, 0, 'address')).toMatchObject({
        totalHits: i,
        isBlocked: false,
      });
    }
    expect(await storage.increment('k', 60_000, 3, 0, 'address')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 60,
    });
    jest.advanceTimersByTime(30_000);
    expect(await storage.increment('k', 60_000, 3, 0, 'address')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 30,
    });
    jest.advanceTimersByTime(30_000);
    expect(await storage.increment('k', 60_000, 3, 0, 'address')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('should block for blockDuration when one is given', async () => {
    await storage.increment('k', 1_000, 1, 0, 'address');
    expect(await storage.increment('k', 1_000, 1, 5_000, 'address')).toMatchObject({
      isBlocked: true,
      timeToBlockExpire: 5,
    });
    jest.advanceTimersByTime(2_000);
    expect((await storage.increment('k', 1_000, 1, 5_000, 'address')).isBlocked).toBe(true);
  });

  it('should keep keys apart', async () => {
    await storage.increment('a', 60_000, 1, 0, 'address');
    expect((await storage.increment('a', 60_000, 1, 0, 'address')).isBlocked).toBe(true);
    expect((await storage.increment('b', 60_000, 1, 0, 'address')).isBlocked).toBe(false);
  });
});
