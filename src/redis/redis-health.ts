import type { RedisHealth } from '../common/health/redis-health.js';
import type { RedisState } from './redis-connection.js';

/**
 * Readiness' view of Redis (REDIS_HEALTH): the connections' own state, no extra round trip. A
 * down Redis is reported with what falls back meanwhile; readiness shows it as degraded and
 * stays 200 (docs/scaling.md#health-and-rolling-deploys).
 */
export function redisHealth(state: RedisState): RedisHealth {
  return {
    check: () => {
      if (state.isUp()) {
        return Promise.resolve({ status: 'up' });
      }
      const { error, fallbacks } = state.details();
      const parts = [
        error ?? 'Redis is unreachable',
        ...fallbacks.map((fallback) => `fallback: ${fallback}`),
      ];
      return Promise.resolve({ status: 'down', message: parts.join('; ') });
    },
  };
}
