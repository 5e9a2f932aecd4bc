import { isIP } from 'node:net';
import { z } from 'zod';
import { accountNameProblem } from '../common/validation/account-name.js';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../common/validation/limits.js';
import { charLength } from '../common/validation/text.js';
import { publishedSecretSource } from './jwt-secret.js';
import { estimateEntropyBits, MIN_SECRET_BITS, WEAK_SECRET } from './secret-strength.js';
import { tracingConfigOf, tracingVariables } from './tracing-config.js';
import { parseOrigin, rpIdProblem } from './webauthn.js';

/**
 * A whole number written in decimal digits, between min and max. Stricter than z.coerce,
 * which would read "0x50" as 80 and "1e3" as 1000.
 */
const wholeNumber = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(/^\d+$/, `must be ${what}`)
    .transform(Number)
    .pipe(
      z.number().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`),
    );

const integer = (fallback: number, min: number, max: number, what: string) =>
  wholeNumber(min, max, what).default(fallback);

const seconds = (fallback: number, min = 1, max = 10 * 365 * 86_400) =>
  integer(fallback, min, max, 'a whole number of seconds');

/** An IP address or a CIDR range (10.0.0.0/8, fd00::/8). */
function isProxyAddress(value: string): boolean {
  const [address, bits, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) {
    return false;
  }
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

/** postgres://user:pass@host:5432/db (or postgresql://): what pg and TypeORM's postgres driver take. */
function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'postgres:' || url.protocol === 'postgresql:') &&
      url.hostname !== '' &&
      url.pathname.length > 1
    );
  } catch {
    return false;
  }
}

/** redis://host[:port][/db] or rediss:// (TLS), credentials allowed; any other form is refused. */
function isRedisUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'redis:' || url.protocol === 'rediss:') &&
    url.hostname !== '' &&
    /^(\/\d{0,5})?$/.test(url.pathname) &&
    url.search === '' &&
    url.hash === ''
  );
}

/** true/false (or 1/0); unset leaves the choice to the default the caller derives. */
const flag = () =>
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .transform((value) => value === 'true' || value === '1')
    .optional();

/**
 * Every environment variable the service reads, with its default and its rule.
 * `.env.example` documents the same list; keep the two in step.
 */
export const envSchema = z.preprocess(
  // An empty variable (`PORT=` in .env, `${PORT}` of an unset shell variable) means "unset".
  (raw) =>
    Object.fromEntries(
      Object.entries(raw as Record<string, unknown>).filter(
        ([, value]) => value !== '' && value !== undefined,
      ),
    ),
  z
    .object({
      NODE_ENV: z
        .enum(['development', 'production', 'test'], {
          error: 'must be development, production or test',
        })
        .default('development'),
      PORT: integer(3000, 0, 65_535, 'a port number'),
      HOST: z.string().trim().min(1, 'must not be empty').optional(),
      // Unset: no metrics listener. Set: GET /metrics on this port of HOST (docs/metrics.md).
      METRICS_PORT: wholeNumber(1, 65_535, 'a port number').optional(),
      DATA_DIR: z.string().trim().min(1, 'must not be empty').default('data'),
      DATABASE_PATH: z.string().trim().min(1, 'must not be empty').optional(),
      // PostgreSQL instead of the embedded SQLite; never echoed (it holds a password).
      DATABASE_URL: z
        .string()
        .trim()
        .refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL with a host and a database name')
        .optional(),
      DATABASE_TIMEOUT: seconds(5, 1, 120),
      JWT_SECRET: z
        .string()
        .refine((value) => Buffer.byteLength(value) >= 32, 'must be at least 32 bytes')
        .optional(),
      // How access tokens are signed (docs/tokens.md#signing-keys): ES256 or RS256 with keys kept in
      // the database, or HS256 with JWT_SECRET itself (the tutorial's way).
      JWT_ALGORITHM: z
        .enum(['ES256', 'RS256', 'HS256'], { error: 'must be ES256, RS256 or HS256' })
        .default('ES256'),
      // Unset: the private signing keys are encrypted with a key derived from JWT_SECRET.
      KEY_ENCRYPTION_SECRET: z
        .string()
        .refine((value) => Buffer.byteLength(value) >= 32, 'must be at least 32 bytes')
        .optional(),
      KEY_ROTATION_INTERVAL: seconds(30 * 86_400, 2),
      JWKS_MAX_AGE: seconds(300, 0, 86_400),
      JWT_ISSUER: z.string().trim().min(1, 'must not be empty').default('nest-jwt-auth'),
      JWT_AUDIENCE: z.string().trim().min(1, 'must not be empty').default('nest-jwt-auth'),
      ACCESS_TOKEN_TTL: seconds(900),
      SESSION_IDLE_TTL: seconds(86_400),
      SESSION_MAX_TTL: seconds(30 * 86_400),
      REFRESH_REUSE_GRACE: seconds(10, 0, 60),
      REFRESH_COOKIE_SECURE: flag(),
      REVOCATION_POLL_INTERVAL: seconds(2, 1, 3600),
      SIGNUP_ENABLED: flag(),
      DOCS_ENABLED: flag(),
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
      HTTP_REQUEST_TIMEOUT: seconds(15, 1, 600),
      // Unset: the default depends on NODE_ENV (shutdownDelayOf).
      SHUTDOWN_DELAY: wholeNumber(0, 300, 'a whole number of seconds').optional(),
      LOG_LEVEL: z
        .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
          error: 'must be one of fatal, error, warn, info, debug, trace, silent',
        })
        .default('info'),
      LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).optional(),
      // Parsed into the list Fastify's trustProxy takes.
      TRUST_PROXY: z
        .string()
        .transform((value) => value.split(',').map((proxy) => proxy.trim()))
        .refine(
          (proxies) => proxies.every(isProxyAddress),
          'must be a comma-separated list of IP addresses or CIDR ranges',
        )
        .optional(),
      JWT_CLOCK_TOLERANCE: seconds(30, 0, 300),
      USER_CACHE_TTL: seconds(30),
      // Days the stored audit trail (audit_events) keeps an event; older ones are pruned.
      AUDIT_RETENTION_DAYS: integer(90, 1, 36_500, 'a whole number of days'),
      // Unset: one instance's state stays its own (docs/scaling.md#redis).
      REDIS_URL: z
        .string()
        .trim()
        .refine(isRedisUrl, 'must be redis://host[:port][/db] or rediss://host[:port][/db]')
        .optional(),
      REDIS_KEY_PREFIX: z
        .string()
        .regex(/^[\x21-\x7e]{1,64}$/, 'must be 1-64 printable ASCII characters without spaces')
        .refine((value) => !/[{}]/.test(value), 'must not contain { or } (they mark Redis Cluster hash tags)')
        .default('nest-jwt-auth:'),
      // The passkeys' relying party (docs/passkeys.md). Unset: localhost and http://localhost:PORT.
      WEBAUTHN_RP_ID: z
        .string()
        .trim()
        .superRefine((rpId, ctx) => {
          const problem = rpIdProblem(rpId);
          if (problem !== undefined) {
            ctx.addIssue({ code: 'custom', message: problem });
          }
        })
        .optional(),
      WEBAUTHN_ORIGIN: z.string().trim().optional(),
      WEBAUTHN_RP_NAME: z
        .string()
        .trim()
        .min(1, 'must not be empty')
        .max(64, 'must be at most 64 characters')
        .default('nest-jwt-auth'),
      // The first account's name follows the name policy of every name an account is given.
      ADMIN_NAME: z
        .string()
        .trim()
        .superRefine((name, ctx) => {
          const problem = accountNameProblem(name, 'ADMIN_NAME');
          if (problem !== undefined) {
            ctx.addIssue({ code: 'custom', message: problem.slice('ADMIN_NAME '.length) });
          }
        })
        .optional(),
      ADMIN_PASSWORD: z
        .string()
        .refine(
          (value) => charLength(value) >= PASSWORD_MIN_LENGTH,
          `must be at least ${PASSWORD_MIN_LENGTH} characters`,
        )
        .refine(
          (value) => Buffer.byteLength(value) <= PASSWORD_MAX_BYTES,
          `must be at most ${PASSWORD_MAX_BYTES} bytes`,
        )
        .optional(),
      // OpenTelemetry traces, off unless an OTLP endpoint is set (docs/tracing.md).
      ...tracingVariables,
    })
    .transform((env) => ({
      ...env,
      tracing: tracingConfigOf(env),
      durations: durationsOf({ ...env, SHUTDOWN_DELAY: shutdownDelayOf(env) }),
      SHUTDOWN_DELAY: shutdownDelayOf(env),
      HOST: env.HOST ?? (env.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
      DATABASE_PATH: env.DATABASE_PATH ?? `${env.DATA_DIR}/auth.sqlite`,
      REFRESH_COOKIE_SECURE: env.REFRESH_COOKIE_SECURE ?? env.NODE_ENV === 'production',
      SIGNUP_ENABLED: env.SIGNUP_ENABLED ?? false,
      DOCS_ENABLED: env.DOCS_ENABLED ?? env.NODE_ENV !== 'production',
      LOG_FORMAT: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
      WEBAUTHN_RP_ID: env.WEBAUTHN_RP_ID ?? 'localhost',
      WEBAUTHN_ORIGIN: env.WEBAUTHN_ORIGIN ?? `http://localhost:${env.PORT}`,
    }))
    .superRefine((env, ctx) => {
      for (const origin of env.WEBAUTHN_ORIGIN.split(',')) {
        const parsed = parseOrigin(origin.trim(), env.WEBAUTHN_RP_ID);
        if ('problem' in parsed) {
          ctx.addIssue({ code: 'custom', path: ['WEBAUTHN_ORIGIN'], message: parsed.problem });
          break;
        }
      }
      if (env.NODE_ENV === 'production') {
        const source = env.JWT_SECRET === undefined ? undefined : publishedSecretSource(env.JWT_SECRET);
        if (env.JWT_SECRET === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['JWT_SECRET'],
            message: 'is required in production (at least 32 random bytes, e.g. `openssl rand -base64 48`)',
          });
        } else if (source !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['JWT_SECRET'],
            message: `must not be a published secret in production (this one is from ${source})`,
          });
        } else if (estimateEntropyBits(env.JWT_SECRET) < MIN_SECRET_BITS) {
          ctx.addIssue({
            code: 'custom',
            path: ['JWT_SECRET'],
            message: WEAK_SECRET,
          });
        }
      }
      if (env.DATABASE_URL !== undefined && env.JWT_SECRET === undefined) {
        // Each instance would generate a secret of its own into its data directory: tokens from
        // one would be refused by the others.
        ctx.addIssue({
          code: 'custom',
          path: ['JWT_SECRET'],
          message:
            'is required with DATABASE_URL: every instance on a shared database must sign with the same secret (e.g. `openssl rand -base64 48`)',
        });
      }
      if (
        env.NODE_ENV === 'production' &&
        env.KEY_ENCRYPTION_SECRET !== undefined &&
        (publishedSecretSource(env.KEY_ENCRYPTION_SECRET) !== undefined ||
          estimateEntropyBits(env.KEY_ENCRYPTION_SECRET) < MIN_SECRET_BITS)
      ) {
        ctx.addIssue({ code: 'custom', path: ['KEY_ENCRYPTION_SECRET'], message: WEAK_SECRET });
      }
      if (env.KEY_ROTATION_INTERVAL <= env.JWKS_MAX_AGE) {
        // A new key is published JWKS_MAX_AGE before it signs: it must not be due again by then.
        ctx.addIssue({
          code: 'custom',
          path: ['KEY_ROTATION_INTERVAL'],
          message: 'must be longer than JWKS_MAX_AGE',
        });
      }
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
      if ((env.ADMIN_NAME === undefined) !== (env.ADMIN_PASSWORD === undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: [env.ADMIN_NAME === undefined ? 'ADMIN_NAME' : 'ADMIN_PASSWORD'],
          message: 'must be set together with ADMIN_NAME and ADMIN_PASSWORD',
        });
      }
    }),
);

export type Env = z.output<typeof envSchema>;

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
function shutdownDelayOf(env: { NODE_ENV: string; SHUTDOWN_DELAY?: number }): number {
  return env.SHUTDOWN_DELAY ?? (env.NODE_ENV === 'production' ? 5 : 0);
}

function durationsOf(env: Seconds): Durations {
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

/** Thrown for an invalid environment; its message is one line naming the variable and the rule. */
export class InvalidEnvironmentError extends Error {
  override name = 'InvalidEnvironmentError';
}

/**
 * The `validate` hook of ConfigModule: parses the raw environment or throws one line per bad
 * variable ("PORT must be between 0 and 65535"), never echoing the value (it may be a secret).
 */
export function validateEnv(raw: Record<string, unknown>): Env {
  const result = envSchema.safeParse(raw);
  if (result.success) {
    return result.data;
  }
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new InvalidEnvironmentError(`Invalid environment: ${problems.join('; ')}`);
}
