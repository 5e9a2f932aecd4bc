import type { ThrottlerStorage } from '@nestjs/throttler';
import { LRUCache } from 'lru-cache';
import { growingBound } from './growing-bound.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Window {
  hits: number;
  expiresAt: number;
  blockedUntil: number;
}

/** Injection token of the per-address counters: any @nestjs/throttler ThrottlerStorage (e.g. Redis). */
export const THROTTLER_STORAGE = Symbol('THROTTLER_STORAGE');

/**
 * Fixed-window counters in memory, honouring @nestjs/throttler's ThrottlerStorage contract so
 * that its Redis storages plug in unchanged. Bounded: a flood of addresses cannot grow it
 * without limit (the least recently seen are dropped first).
 */
export class MemoryThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new LRUCache<string, Window>(growingBound(100_000));

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (window === undefined || (window.expiresAt <= now && window.blockedUntil <= now)) {
      window = { hits: 0, expiresAt: now + ttl, blockedUntil: 0 };
    }
    if (window.blockedUntil <= now) {
      window.hits += 1;
      if (window.hits > limit) {
        window.blockedUntil = blockDuration > 0 ? now + blockDuration : window.expiresAt;
      }
    }
    this.windows.set(key, window, { ttl: Math.max(window.expiresAt, window.blockedUntil) - now });
    const isBlocked = window.blockedUntil > now;
    return Promise.resolve({
      totalHits: window.hits,
      timeToExpire: Math.ceil((window.expiresAt - now) / 1000),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil((window.blockedUntil - now) / 1000) : 0,
    });
  }
}
