/**
 * What readiness (src/health/) asks of the shared Redis state, when a module provides it under
 * REDIS_HEALTH. Readiness reports the answer in its details and never fails on it: what uses
 * Redis (shared throttling, revocation fan-out) fails open and the instance still serves.
 */
export interface RedisHealth {
  /**
   * Redis' state now, however the provider learns it (RedisModule's reads its connections' own
   * state, without a round trip); `signal` aborts when readiness stops waiting. Rejecting counts
   * as `down`.
   */
  check(signal: AbortSignal): Promise<RedisHealthStatus>;
}

export type RedisHealthStatus = { status: 'up' } | { status: 'down'; message: string };

/** Optional: with no provider, readiness reports `redis: {status: 'disabled'}`. */
export const REDIS_HEALTH = Symbol('REDIS_HEALTH');
