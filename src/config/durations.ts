/** The durations services run on, in milliseconds, derived once from the variables in seconds. */
export interface Durations {
  accessTokenMs: number;
  /**
   * How long after issue an access token may still be accepted: its lifetime plus the clock
   * tolerance. An ended session stays on the revocation list this long.
   */
  accessTokenAcceptedMs: number;
  clockToleranceMs: number;
  sessionIdleMs: number;
  sessionMaxMs: number;
  refreshReuseGraceMs: number;
  revocationPollMs: number;
  userCacheMs: number;
  loginFailureWindowMs: number;
  loginHoldMs: number;
  httpRequestTimeoutMs: number;
  /** How long a PostgreSQL connection attempt or query may take before it fails (503). */
  databaseTimeoutMs: number;
  /** How long a SIGTERM leaves the listener open while readiness answers 503 (main.ts). */
  shutdownDelayMs: number;
  /** How long a signing key signs before the next one takes over. */
  keyRotationMs: number;
  /** How long verifiers may cache the JWKS: a new key is published this long before it signs. */
  jwksMaxAgeMs: number;
}

type Seconds = Record<
  | 'ACCESS_TOKEN_TTL'
  | 'JWT_CLOCK_TOLERANCE'
  | 'SESSION_IDLE_TTL'
  | 'SESSION_MAX_TTL'
  | 'REFRESH_REUSE_GRACE'
  | 'REVOCATION_POLL_INTERVAL'
  | 'USER_CACHE_TTL'
  | 'LOGIN_FAILURE_WINDOW'
  | 'LOGIN_HOLD_SECONDS'
  | 'HTTP_REQUEST_TIMEOUT'
  | 'DATABASE_TIMEOUT'
  | 'SHUTDOWN_DELAY'
  | 'KEY_ROTATION_INTERVAL'
  | 'JWKS_MAX_AGE',
  number
>;

/**
 * SHUTDOWN_DELAY, or its default: 5 s in production, time for a load balancer to see readiness
 * fail and stop sending; none elsewhere, so that a developer's Ctrl-C stops at once.
 */
export function shutdownDelayOf(env: { NODE_ENV: string; SHUTDOWN_DELAY?: number }): number {
  return env.SHUTDOWN_DELAY ?? (env.NODE_ENV === 'production' ? 5 : 0);
}

export function durationsOf(env: Seconds): Durations {
  const ms = (seconds: number) => seconds * 1000;
  return {
    accessTokenMs: ms(env.ACCESS_TOKEN_TTL),
    accessTokenAcceptedMs: ms(env.ACCESS_TOKEN_TTL + env.JWT_CLOCK_TOLERANCE),
    clockToleranceMs: ms(env.JWT_CLOCK_TOLERANCE),
    sessionIdleMs: ms(env.SESSION_IDLE_TTL),
    sessionMaxMs: ms(env.SESSION_MAX_TTL),
    refreshReuseGraceMs: ms(env.REFRESH_REUSE_GRACE),
    revocationPollMs: ms(env.REVOCATION_POLL_INTERVAL),
    userCacheMs: ms(env.USER_CACHE_TTL),
    loginFailureWindowMs: ms(env.LOGIN_FAILURE_WINDOW),
    loginHoldMs: ms(env.LOGIN_HOLD_SECONDS),
    databaseTimeoutMs: ms(env.DATABASE_TIMEOUT),
    httpRequestTimeoutMs: ms(env.HTTP_REQUEST_TIMEOUT),
    shutdownDelayMs: ms(env.SHUTDOWN_DELAY),
    keyRotationMs: ms(env.KEY_ROTATION_INTERVAL),
    jwksMaxAgeMs: ms(env.JWKS_MAX_AGE),
  };
}
