import type { ThrottlerStorage } from '@nestjs/throttler';
import { LuaScript, type RedisConnection } from '../redis/redis-connection.js';
import { RedisFallback } from '../redis/redis-fallback.js';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * KEYS[1] the hit counter, KEYS[2] the block; ARGV ttl (ms), limit, blockDuration (ms, 0: to the
 * window's end). Returns {hits, ms until the window ends, ms until the block ends or 0}. While
 * blocked nothing is counted, as in MemoryThrottlerStorage. Redis's clock: instances agree.
 */
const INCREMENT = new LuaScript(`
local blockedFor = redis.call('PTTL', KEYS[2])
if blockedFor > 0 then
  return { tonumber(redis.call('GET', KEYS[1]) or '0'), math.max(redis.call('PTTL', KEYS[1]), 0), blockedFor }
end
local hits = redis.call('INCR', KEYS[1])
local expiresIn = redis.call('PTTL', KEYS[1])
if expiresIn < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  expiresIn = tonumber(ARGV[1])
end
if hits > tonumber(ARGV[2]) then
  local blockFor = tonumber(ARGV[3])
  if blockFor <= 0 then blockFor = expiresIn end
  blockFor = math.max(blockFor, 1)
  redis.call('SET', KEYS[2], '1', 'PX', blockFor)
  return { hits, expiresIn, blockFor }
end
return { hits, expiresIn, 0 }
`);

/**
 * The per-address counters shared by every instance (REDIS_URL): the 11th attempt of a minute is
 * refused whichever instance receives it. One script per hit, so concurrent hits all count. Keys
 * `<prefix>throttle:{<key>}:hits|:block`, the braces a hash tag that keeps both in one Redis
 * Cluster slot. While Redis is unreachable each instance counts in its own memory.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly fallback: RedisFallback;

  constructor(
    private readonly redis: RedisConnection,
    private readonly standIn: ThrottlerStorage = new MemoryThrottlerStorage(),
  ) {
    this.fallback = new RedisFallback(redis, 'throttling', 'per-instance memory');
  }

  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return this.fallback.run(
      () => this.onRedis(key, ttl, limit, blockDuration),
      () => this.standIn.increment(key, ttl, limit, blockDuration, throttlerName),
    );
  }

  private async onRedis(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    const base = `${this.redis.prefix}throttle:{${encodeURIComponent(key)}}`;
    const reply = await this.redis.run(
      INCREMENT,
      [`${base}:hits`, `${base}:block`],
      [String(ttl), String(limit), String(blockDuration)],
    );
    const [hits, expiresIn, blockedFor] = reply as [number, number, number];
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(expiresIn / 1000),
      isBlocked: blockedFor > 0,
      timeToBlockExpire: Math.ceil(blockedFor / 1000),
    };
  }
}
