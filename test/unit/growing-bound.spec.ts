import { describe, expect, it } from '@jest/globals';
import { LRUCache } from 'lru-cache';
import { growingBound } from '../../src/throttling/growing-bound.js';

describe(growingBound.name, () => {
  it('should bound a cache at that many entries, dropping the least recently used first', () => {
    const cache = new LRUCache<string, number>(growingBound(3));
    for (const [index, key] of ['a', 'b', 'c'].entries()) {
      cache.set(key, index);
    }
    cache.get('a');
    cache.set('d', 3);
    expect([...cache.keys()].sort()).toEqual(['a', 'c', 'd']);
    expect(cache.size).toBe(3);
  });

  it('should stay bounded under a flood of keys (an attacker spraying addresses or names)', () => {
    const cache = new LRUCache<string, number>(growingBound(1_000));
    for (let i = 0; i < 50_000; i++) {
      cache.set(`198.51.100.${i}`, i);
    }
    expect(cache.size).toBe(1_000);
    expect(cache.has('198.51.100.49999')).toBe(true);
  });
});
