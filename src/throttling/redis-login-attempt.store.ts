import { LuaScript, type RedisConnection } from '../redis/redis-connection.js';
import { RedisFallback } from '../redis/redis-fallback.js';
import {
  MemoryLoginAttemptStore,
  type FailureRecord,
  type HoldPolicy,
  type LoginAttemptStore,
} from './login-attempts.js';

/**
 * KEYS[1] the record (a hash: failures, heldUntil); ARGV now (epoch ms), limit, holdMs, windowMs.
 * Counts one failure and holds the name as heldUntilAfter() (login-attempts.ts) does; the record
 * lives for the window, or the hold if longer. Returns {failures, heldUntil}.
 */
const RECORD_FAILURE = new LuaScript(`
local now, limit, holdMs, windowMs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local excess = failures - limit
local heldUntil = 0
if excess >= 0 then
  heldUntil = now + math.min(holdMs * 2 ^ math.min(excess, 30), windowMs)
end
redis.call('HSET', KEYS[1], 'heldUntil', string.format('%.0f', heldUntil))
redis.call('PEXPIRE', KEYS[1], string.format('%.0f', math.max(windowMs, heldUntil - now)))
return { failures, string.format('%.0f', heldUntil) }
`);

/**
 * The per-account failure counts shared by every instance (REDIS_URL), so a hold placed on one
 * applies on all. Keys `<prefix>login:{<key>}` (a Redis Cluster hash tag). While Redis is
 * unreachable each instance counts in its own memory.
 */
export class RedisLoginAttemptStore implements LoginAttemptStore {
  private readonly fallback: RedisFallback;

  constructor(
    private readonly redis: RedisConnection,
    private readonly standIn: LoginAttemptStore = new MemoryLoginAttemptStore(),
  ) {
    this.fallback = new RedisFallback(redis, 'account holds', 'per-instance memory');
  }

  get(key: string): Promise<FailureRecord | undefined> {
    return this.fallback.run(
      async () => {
        const [failures, heldUntil] = await this.redis.commands.hmGet(this.redisKey(key), [
          'failures',
          'heldUntil',
        ]);
        return failures === null
          ? undefined
          : { failures: Number(failures), heldUntil: Number(heldUntil ?? 0) };
      },
      () => this.standIn.get(key),
    );
  }

  recordFailure(key: string, policy: HoldPolicy, now: number): Promise<FailureRecord> {
    return this.fallback.run(
      async () => {
        const reply = await this.redis.run(
          RECORD_FAILURE,
          [this.redisKey(key)],
          [now, policy.limit, policy.holdMs, policy.windowMs].map(String),
        );
        const [failures, heldUntil] = reply as [number, string];
        return { failures, heldUntil: Number(heldUntil) };
      },
      () => this.standIn.recordFailure(key, policy, now),
    );
  }

  delete(key: string): Promise<void> {
    return this.fallback.run(
      async () => {
        await this.redis.commands.del(this.redisKey(key));
      },
      () => this.standIn.delete(key),
    );
  }

  private redisKey(key: string): string {
    return `${this.redis.prefix}login:{${encodeURIComponent(key)}}`;
  }
}
