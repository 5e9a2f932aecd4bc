import { z } from 'zod';
import { type EnvIssues, flag, integer, seconds } from './env-rules.js';

/** How long a session lives and how its refresh tokens behave. */
export const sessionVariables = {
  SESSION_IDLE_TTL: seconds(86_400),
  SESSION_MAX_TTL: seconds(30 * 86_400),
  REFRESH_REUSE_GRACE: seconds(10, 0, 60),
  REFRESH_COOKIE_SECURE: flag(),
  REVOCATION_POLL_INTERVAL: seconds(2, 1, 3600),
};

/** How many logins and second factors are let through, and how long a name is held back. */
export const throttlingVariables = {
  LOGIN_RATE_LIMIT: integer(10, 1, 1_000_000, 'a whole number of attempts'),
  LOGIN_FAILURE_LIMIT: integer(5, 1, 1_000_000, 'a whole number of failures'),
  LOGIN_FAILURE_WINDOW: seconds(900),
  LOGIN_HOLD_SECONDS: seconds(30),
  // Consecutive failed second factors before TOTP codes stop being checked (docs/two-factor.md).
  MFA_FAILURE_LIMIT: z
    .string()
    .regex(/^\d+$/, 'must be a whole number of failures')
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, 'must be between 1 and 100 (NIST SP 800-63B allows at most 100)')
        .max(100, 'must be between 1 and 100 (NIST SP 800-63B allows at most 100)'),
    )
    .default(20),
};

/** How long the active users behind tokens are cached. */
export const userCacheVariables = {
  USER_CACHE_TTL: seconds(30),
};

/** An access token lives within a session, and a session's cap is past its idle time. */
export function checkSessionTimes(
  env: { ACCESS_TOKEN_TTL: number; SESSION_IDLE_TTL: number; SESSION_MAX_TTL: number },
  ctx: EnvIssues,
): void {
  if (env.ACCESS_TOKEN_TTL > env.SESSION_IDLE_TTL) {
    ctx.addIssue({
      code: 'custom',
      path: ['ACCESS_TOKEN_TTL'],
      message: 'must be at most SESSION_IDLE_TTL',
    });
  }
  if (env.SESSION_MAX_TTL < env.SESSION_IDLE_TTL) {
    ctx.addIssue({
      code: 'custom',
      path: ['SESSION_MAX_TTL'],
      message: 'must be at least SESSION_IDLE_TTL',
    });
  }
}
