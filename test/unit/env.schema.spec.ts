import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { InvalidEnvironmentError, validateEnv } from '../../src/config/env.schema.js';
import { publishedSecretSource } from '../../src/config/jwt-secret.js';
import { PRODUCTION_SECRET } from '../support/secrets.js';

const SECRET = PRODUCTION_SECRET;
/** The placeholder of this project's .env.example: published, so production must refuse it. */
const ENV_EXAMPLE_SECRET = 'change-me-to-a-random-string-of-at-least-32-bytes';

/** The error validateEnv throws for `raw`, or a failure when it throws nothing. */
function envError(raw: Record<string, unknown>): InvalidEnvironmentError {
  try {
    validateEnv(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidEnvironmentError);
    return error as InvalidEnvironmentError;
  }
  throw new Error('validateEnv accepted an invalid environment');
}

describe('validateEnv', () => {
  describe('defaults', () => {
    it('should fill every default outside production', () => {
      expect(validateEnv({})).toEqual({
        NODE_ENV: 'development',
        PORT: 3000,
        HOST: '127.0.0.1',
        DATA_DIR: 'data',
        DATABASE_PATH: 'data/auth.sqlite',
        JWT_ALGORITHM: 'ES256',
        KEY_ROTATION_INTERVAL: 30 * 86_400,
        JWKS_MAX_AGE: 300,
        JWT_ISSUER: 'nest-jwt-auth',
        JWT_AUDIENCE: 'nest-jwt-auth',
        ACCESS_TOKEN_TTL: 900,
        SESSION_IDLE_TTL: 86_400,
        SESSION_MAX_TTL: 30 * 86_400,
        REFRESH_REUSE_GRACE: 10,
        REFRESH_COOKIE_SECURE: false,
        REVOCATION_POLL_INTERVAL: 2,
        SIGNUP_ENABLED: false,
        SIGNUP_REQUIRE_EMAIL: false,
        DOCS_ENABLED: true,
        LOGIN_RATE_LIMIT: 10,
        LOGIN_FAILURE_LIMIT: 5,
        LOGIN_FAILURE_WINDOW: 900,
        LOGIN_HOLD_SECONDS: 30,
        MFA_FAILURE_LIMIT: 20,
        HTTP_REQUEST_TIMEOUT: 15,
        DATABASE_TIMEOUT: 5,
        SHUTDOWN_DELAY: 0,
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'pretty',
        JWT_CLOCK_TOLERANCE: 30,
        USER_CACHE_TTL: 30,
        AUDIT_RETENTION_DAYS: 90,
        REDIS_KEY_PREFIX: 'nest-jwt-auth:',
        WEBAUTHN_RP_ID: 'localhost',
        WEBAUTHN_ORIGIN: 'http://localhost:3000',
        WEBAUTHN_RP_NAME: 'nest-jwt-auth',
        PUBLIC_URL: 'http://localhost:3000',
        MAIL_FROM: 'no-reply@localhost',
        MAIL_MODE: 'files',
        PASSWORD_RESET_TTL: 1800,
        EMAIL_VERIFICATION_TTL: 86_400,
        EMAIL_VERIFICATION_REQUIRED: false,
        INVITE_TTL: 604_800,
        EMAIL_LOGIN_ENABLED: false,
        MAIL_POLL_INTERVAL: 2,
        MAIL_TARGET_LIMIT: 5,
        durations: {
          accessTokenMs: 900_000,
          accessTokenAcceptedMs: 930_000,
          clockToleranceMs: 30_000,
          sessionIdleMs: 86_400_000,
          sessionMaxMs: 30 * 86_400_000,
          refreshReuseGraceMs: 10_000,
          revocationPollMs: 2_000,
          userCacheMs: 30_000,
          loginFailureWindowMs: 900_000,
          loginHoldMs: 30_000,
          httpRequestTimeoutMs: 15_000,
          databaseTimeoutMs: 5_000,
          shutdownDelayMs: 0,
          keyRotationMs: 30 * 86_400_000,
          jwksMaxAgeMs: 300_000,
        },
      });
    });

    it('should derive every duration from its variable in seconds', () => {
      expect(
        validateEnv({
          ACCESS_TOKEN_TTL: '60',
          JWT_CLOCK_TOLERANCE: '5',
          SESSION_IDLE_TTL: '120',
          SESSION_MAX_TTL: '180',
          REFRESH_REUSE_GRACE: '0',
          REVOCATION_POLL_INTERVAL: '3',
          USER_CACHE_TTL: '4',
          LOGIN_FAILURE_WINDOW: '6',
          LOGIN_HOLD_SECONDS: '7',
          HTTP_REQUEST_TIMEOUT: '8',
          SHUTDOWN_DELAY: '9',
          DATABASE_TIMEOUT: '11',
          KEY_ROTATION_INTERVAL: '12',
          JWKS_MAX_AGE: '10',
        }).durations,
      ).toEqual({
        accessTokenMs: 60_000,
        accessTokenAcceptedMs: 65_000,
        clockToleranceMs: 5_000,
        sessionIdleMs: 120_000,
        sessionMaxMs: 180_000,
        refreshReuseGraceMs: 0,
        revocationPollMs: 3_000,
        userCacheMs: 4_000,
        loginFailureWindowMs: 6_000,
        loginHoldMs: 7_000,
        httpRequestTimeoutMs: 8_000,
        shutdownDelayMs: 9_000,
        databaseTimeoutMs: 11_000,
        keyRotationMs: 12_000,
        jwksMaxAgeMs: 10_000,
      });
    });

    it.each(['ES256', 'RS256', 'HS256'])('should take JWT_ALGORITHM %s', (algorithm) => {
      expect(validateEnv({ JWT_ALGORITHM: algorithm }).JWT_ALGORITHM).toBe(algorithm);
    });

    it.each(['EdDSA', 'none', 'es256', 'HS512', 'PS256'])('should refuse JWT_ALGORITHM %s', (algorithm) => {
      expect(() => validateEnv({ JWT_ALGORITHM: algorithm })).toThrow(
        'JWT_ALGORITHM must be ES256, RS256 or HS256',
      );
    });

    it('should refuse a KEY_ROTATION_INTERVAL not longer than JWKS_MAX_AGE', () => {
      expect(() => validateEnv({ KEY_ROTATION_INTERVAL: '300', JWKS_MAX_AGE: '300' })).toThrow(
        'KEY_ROTATION_INTERVAL must be longer than JWKS_MAX_AGE',
      );
    });

    it('should refuse a short or, in production, a guessable KEY_ENCRYPTION_SECRET', () => {
      expect(() => validateEnv({ KEY_ENCRYPTION_SECRET: 'short' })).toThrow(
        'KEY_ENCRYPTION_SECRET must be at least 32 bytes',
      );
      expect(() =>
        validateEnv({
          NODE_ENV: 'production',
          JWT_SECRET: randomBytes(48).toString('base64'),
          KEY_ENCRYPTION_SECRET: 'a'.repeat(40),
        }),
      ).toThrow('KEY_ENCRYPTION_SECRET must be random');
    });

    it.each([
      ['postgres://user:pass@db:5432/auth'],
      ['postgresql://db/auth'],
      ['postgres://user@127.0.0.1/auth?sslmode=require'],
    ])('should take DATABASE_URL %p (with JWT_SECRET)', (url) => {
      expect(validateEnv({ DATABASE_URL: url, JWT_SECRET: SECRET }).DATABASE_URL).toBe(url);
    });

    it.each([['mysql://db/auth'], ['postgres://db'], ['postgres:///auth'], ['not a url']])(
      'should refuse DATABASE_URL %p without echoing it',
      (url) => {
        expect(() => validateEnv({ DATABASE_URL: url, JWT_SECRET: SECRET })).toThrow(
          'DATABASE_URL must be a postgres:// or postgresql:// URL with a host and a database name',
        );
      },
    );

    it('should require JWT_SECRET with DATABASE_URL, also outside production', () => {
      expect(() => validateEnv({ DATABASE_URL: 'postgres://db/auth' })).toThrow(
        'JWT_SECRET is required with DATABASE_URL',
      );
    });

    it('should keep the listener open 5 s after SIGTERM in production and none elsewhere, unless told', () => {
      const production = { NODE_ENV: 'production', JWT_SECRET: SECRET };
      expect(validateEnv(production)).toMatchObject({
        SHUTDOWN_DELAY: 5,
        durations: { shutdownDelayMs: 5_000 },
      });
      expect(validateEnv({ ...production, SHUTDOWN_DELAY: '0' })).toMatchObject({
        SHUTDOWN_DELAY: 0,
        durations: { shutdownDelayMs: 0 },
      });
      expect(validateEnv({ NODE_ENV: 'test' }).SHUTDOWN_DELAY).toBe(0);
      expect(validateEnv({ SHUTDOWN_DELAY: '30' }).durations.shutdownDelayMs).toBe(30_000);
    });

    it.each([['-1'], ['1.5'], ['5s'], ['301']])('should refuse SHUTDOWN_DELAY %p', (value) =>
      expect(() => validateEnv({ SHUTDOWN_DELAY: value })).toThrow(
        /^Invalid environment: SHUTDOWN_DELAY must be (a whole number of seconds|between 0 and 300)$/,
      ),
    );

    it.each([
      ['127.0.0.1', ['127.0.0.1']],
      ['10.0.0.0/8, 192.168.1.1', ['10.0.0.0/8', '192.168.1.1']],
      ['::1,fd00::/8', ['::1', 'fd00::/8']],
    ])('should accept TRUST_PROXY %p as the list %p', (value, proxies) =>
      expect(validateEnv({ TRUST_PROXY: value }).TRUST_PROXY).toEqual(proxies),
    );

    it.each([['yes'], ['10.0.0.0/33'], ['10.0.0.1/8/2'], ['proxy.internal'], ['1.2.3.4,']])(
      'should refuse TRUST_PROXY %p naming the rule, not the value',
      (value) =>
        expect(() => validateEnv({ TRUST_PROXY: value })).toThrow(
          'Invalid environment: TRUST_PROXY must be a comma-separated list of IP addresses or CIDR ranges',
        ),
    );

    it('should give access tokens 15 minutes and sessions a day idle, 30 days in all', () => {
      expect(validateEnv({ NODE_ENV: 'test' })).toMatchObject({
        ACCESS_TOKEN_TTL: 15 * 60,
        SESSION_IDLE_TTL: 24 * 3600,
        SESSION_MAX_TTL: 30 * 24 * 3600,
      });
    });

    it('should make the refresh cookie Secure in production unless told otherwise', () => {
      expect(validateEnv({ NODE_ENV: 'production', JWT_SECRET: SECRET }).REFRESH_COOKIE_SECURE).toBe(true);
      expect(
        validateEnv({ NODE_ENV: 'production', JWT_SECRET: SECRET, REFRESH_COOKIE_SECURE: 'false' })
          .REFRESH_COOKIE_SECURE,
      ).toBe(false);
      expect(validateEnv({ NODE_ENV: 'test' }).REFRESH_COOKIE_SECURE).toBe(false);
      expect(validateEnv({ REFRESH_COOKIE_SECURE: 'true' }).REFRESH_COOKIE_SECURE).toBe(true);
    });

    it('should treat an empty flag as unset', () => {
      expect(
        validateEnv({
          NODE_ENV: 'production',
          JWT_SECRET: SECRET,
          REFRESH_COOKIE_SECURE: '',
          SIGNUP_ENABLED: '',
        }),
      ).toMatchObject({ REFRESH_COOKIE_SECURE: true, SIGNUP_ENABLED: false });
    });

    it.each([
      ['true', true],
      ['1', true],
      ['false', false],
      ['0', false],
    ])('should read SIGNUP_ENABLED=%s as %p', (value, expected) => {
      expect(validateEnv({ SIGNUP_ENABLED: value }).SIGNUP_ENABLED).toBe(expected);
    });

    it('should serve the API docs outside production only, unless told otherwise', () => {
      expect(validateEnv({ NODE_ENV: 'test' }).DOCS_ENABLED).toBe(true);
      expect(validateEnv({ NODE_ENV: 'production', JWT_SECRET: SECRET }).DOCS_ENABLED).toBe(false);
      expect(
        validateEnv({ NODE_ENV: 'production', JWT_SECRET: SECRET, DOCS_ENABLED: 'true' }).DOCS_ENABLED,
      ).toBe(true);
      expect(validateEnv({ DOCS_ENABLED: '0' }).DOCS_ENABLED).toBe(false);
    });

    it('should take MFA_FAILURE_LIMIT from 1 to 100, the most NIST SP 800-63B allows', () => {
      expect(validateEnv({ MFA_FAILURE_LIMIT: '1' }).MFA_FAILURE_LIMIT).toBe(1);
      expect(validateEnv({ MFA_FAILURE_LIMIT: '100' }).MFA_FAILURE_LIMIT).toBe(100);
    });

    it('should accept a REFRESH_REUSE_GRACE of 0 (no grace window)', () => {
      expect(validateEnv({ REFRESH_REUSE_GRACE: '0' }).REFRESH_REUSE_GRACE).toBe(0);
    });

    it('should refuse access tokens that outlive the idle limit of their session', () => {
      expect(() => validateEnv({ ACCESS_TOKEN_TTL: '3601', SESSION_IDLE_TTL: '3600' })).toThrow(
        'Invalid environment: ACCESS_TOKEN_TTL must be at most SESSION_IDLE_TTL',
      );
      expect(validateEnv({ ACCESS_TOKEN_TTL: '3600', SESSION_IDLE_TTL: '3600' }).ACCESS_TOKEN_TTL).toBe(3600);
    });

    it('should accept SESSION_MAX_TTL equal to SESSION_IDLE_TTL', () => {
      expect(validateEnv({ SESSION_IDLE_TTL: '3600', SESSION_MAX_TTL: '3600' })).toMatchObject({
        SESSION_IDLE_TTL: 3600,
        SESSION_MAX_TTL: 3600,
      });
    });

    it('should listen on 0.0.0.0 in production', () => {
      expect(validateEnv({ NODE_ENV: 'production', JWT_SECRET: SECRET }).HOST).toBe('0.0.0.0');
    });

    it('should listen on 127.0.0.1 in test', () => {
      expect(validateEnv({ NODE_ENV: 'test' }).HOST).toBe('127.0.0.1');
    });

    it('should keep an explicit HOST', () => {
      expect(validateEnv({ NODE_ENV: 'production', JWT_SECRET: SECRET, HOST: '::' }).HOST).toBe('::');
    });

    it('should derive DATABASE_PATH from DATA_DIR', () => {
      expect(validateEnv({ DATA_DIR: '/var/lib/auth' }).DATABASE_PATH).toBe('/var/lib/auth/auth.sqlite');
    });

    it('should keep an explicit DATABASE_PATH', () => {
      expect(
        validateEnv({ DATA_DIR: '/var/lib/auth', DATABASE_PATH: '/db/users.sqlite' }).DATABASE_PATH,
      ).toBe('/db/users.sqlite');
    });

    it('should treat an empty variable as unset', () => {
      const env = validateEnv({ PORT: '', JWT_CLOCK_TOLERANCE: '', JWT_SECRET: '', HOST: '' });
      expect(env).toMatchObject({ PORT: 3000, JWT_CLOCK_TOLERANCE: 30, HOST: '127.0.0.1' });
      expect(env.JWT_SECRET).toBeUndefined();
    });

    it.each([
      'redis://127.0.0.1:6379',
      'redis://cache',
      'redis://cache:6379/2',
      'rediss://user:p%40ss@cache.example.com:6380/0',
      'redis://[::1]:6379',
    ])('should accept the REDIS_URL %s', (url) => {
      expect(validateEnv({ REDIS_URL: url }).REDIS_URL).toBe(url);
    });

    it('should coerce numbers given as strings', () => {
      // Not the defaults (3000, 900): a value that was ignored would not pass.
      expect(validateEnv({ PORT: '8080', ACCESS_TOKEN_TTL: '600', SESSION_IDLE_TTL: '7200' })).toMatchObject({
        PORT: 8080,
        ACCESS_TOKEN_TTL: 600,
        SESSION_IDLE_TTL: 7200,
      });
    });
  });

  describe('invalid values', () => {
    it.each([
      [
        'REDIS_URL',
        { REDIS_URL: 'http://cache:6379' },
        'cache',
        'REDIS_URL must be redis://host[:port][/db] or rediss://host[:port][/db]',
      ],
      [
        'REDIS_URL',
        { REDIS_URL: 'redis://:hunter2-secret@cache:6379/db' },
        'hunter2',
        'REDIS_URL must be redis://host[:port][/db] or rediss://host[:port][/db]',
      ],
      [
        'REDIS_URL',
        { REDIS_URL: 'cache:6379' },
        'cache',
        'REDIS_URL must be redis://host[:port][/db] or rediss://host[:port][/db]',
      ],
      [
        'REDIS_KEY_PREFIX',
        { REDIS_KEY_PREFIX: 'my app:' },
        'app',
        'REDIS_KEY_PREFIX must be 1-64 printable ASCII characters without spaces',
      ],
      [
        'REDIS_KEY_PREFIX',
        { REDIS_KEY_PREFIX: 'app{x}:' },
        'app',
        'REDIS_KEY_PREFIX must not contain { or } (they mark Redis Cluster hash tags)',
      ],
      ['PORT', { PORT: 'abc' }, 'abc', 'PORT must be a port number'],
      ['PORT', { PORT: '70000' }, '70000', 'PORT must be between 0 and 65535'],
      ['METRICS_PORT', { METRICS_PORT: '0' }, 'PORT: 0', 'METRICS_PORT must be between 1 and 65535'],
      ['METRICS_PORT', { METRICS_PORT: '65536' }, '65536', 'METRICS_PORT must be between 1 and 65535'],
      ['METRICS_PORT', { METRICS_PORT: '9x' }, '9x', 'METRICS_PORT must be a port number'],
      [
        'ACCESS_TOKEN_TTL',
        { ACCESS_TOKEN_TTL: '-5' },
        '-5',
        'ACCESS_TOKEN_TTL must be a whole number of seconds',
      ],
      ['PORT', { PORT: '0x50' }, '0x50', 'PORT must be a port number'],
      ['PORT', { PORT: '1e3' }, '1e3', 'PORT must be a port number'],
      [
        'ACCESS_TOKEN_TTL',
        { ACCESS_TOKEN_TTL: '0' },
        'TTL: 0',
        'ACCESS_TOKEN_TTL must be between 1 and 315360000',
      ],
      [
        'JWT_CLOCK_TOLERANCE',
        { JWT_CLOCK_TOLERANCE: '301' },
        '301',
        'JWT_CLOCK_TOLERANCE must be between 0 and 300',
      ],
      [
        'MFA_FAILURE_LIMIT',
        { MFA_FAILURE_LIMIT: '101' },
        '101',
        'MFA_FAILURE_LIMIT must be between 1 and 100 (NIST SP 800-63B allows at most 100)',
      ],
      [
        'MFA_FAILURE_LIMIT',
        { MFA_FAILURE_LIMIT: '0' },
        'LIMIT: 0',
        'MFA_FAILURE_LIMIT must be between 1 and 100 (NIST SP 800-63B allows at most 100)',
      ],
      [
        'MFA_FAILURE_LIMIT',
        { MFA_FAILURE_LIMIT: '-3' },
        '-3',
        'MFA_FAILURE_LIMIT must be a whole number of failures',
      ],
      ['NODE_ENV', { NODE_ENV: 'staging' }, 'staging', 'NODE_ENV must be development, production or test'],
      [
        'SESSION_IDLE_TTL',
        { SESSION_IDLE_TTL: '1.5' },
        '1.5',
        'SESSION_IDLE_TTL must be a whole number of seconds',
      ],
      [
        'SESSION_MAX_TTL',
        { SESSION_IDLE_TTL: '3600', SESSION_MAX_TTL: '3599' },
        '3599',
        'SESSION_MAX_TTL must be at least SESSION_IDLE_TTL',
      ],
      [
        'SESSION_MAX_TTL',
        { SESSION_MAX_TTL: '3600' },
        '3600',
        'SESSION_MAX_TTL must be at least SESSION_IDLE_TTL',
      ],
      [
        'REFRESH_REUSE_GRACE',
        { REFRESH_REUSE_GRACE: '61' },
        '61',
        'REFRESH_REUSE_GRACE must be between 0 and 60',
      ],
      [
        'REVOCATION_POLL_INTERVAL',
        { REVOCATION_POLL_INTERVAL: '0' },
        'INTERVAL: 0',
        'REVOCATION_POLL_INTERVAL must be between 1 and 3600',
      ],
      [
        'REFRESH_COOKIE_SECURE',
        { REFRESH_COOKIE_SECURE: 'yes' },
        'yes',
        'REFRESH_COOKIE_SECURE must be true or false',
      ],
      ['SIGNUP_ENABLED', { SIGNUP_ENABLED: 'TRUE' }, 'TRUE', 'SIGNUP_ENABLED must be true or false'],
      ['DOCS_ENABLED', { DOCS_ENABLED: 'yes' }, 'yes', 'DOCS_ENABLED must be true or false'],
      [
        'JWT_SECRET',
        { JWT_SECRET: 's3cr3t-'.padEnd(31, 'x') },
        's3cr3t-'.padEnd(31, 'x'),
        'JWT_SECRET must be at least 32 bytes',
      ],
      [
        'ADMIN_PASSWORD',
        { ADMIN_NAME: 'root-operator' },
        'root-operator',
        'ADMIN_PASSWORD must be set together with ADMIN_NAME and ADMIN_PASSWORD',
      ],
    ])('should name %s and the rule in one line without the value (%p)', (_name, raw, value, expected) => {
      const { message } = envError(raw);
      expect(message).toBe(`Invalid environment: ${expected}`);
      expect(message).not.toMatch(/[\r\n]/);
      expect(message).not.toContain(value);
    });

    it.each([
      ['admin\u200b', 'ADMIN_NAME may hold only letters'],
      ['\u202eadmin', 'ADMIN_NAME may hold only letters'],
      ['аdmin', 'ADMIN_NAME must not mix letters of different scripts'],
      ['𝒜'.repeat(65), 'ADMIN_NAME must be at most 64 characters'],
    ])('should hold ADMIN_NAME %p to the name policy', (name, rule) => {
      expect(envError({ ADMIN_NAME: name, ADMIN_PASSWORD: 'a long password' }).message).toContain(rule);
    });

    it('should count ADMIN_NAME and ADMIN_PASSWORD in characters (code points)', () => {
      expect(validateEnv({ ADMIN_NAME: '𝒜'.repeat(64), ADMIN_PASSWORD: '😀'.repeat(8) }).ADMIN_NAME).toBe(
        '𝒜'.repeat(64),
      );
      expect(envError({ ADMIN_NAME: 'root', ADMIN_PASSWORD: '😀'.repeat(7) }).message).toContain(
        'ADMIN_PASSWORD must be at least 8 characters',
      );
    });

    it('should count a 31-byte multibyte secret in bytes, not characters', () => {
      // 10 three-byte characters plus one ASCII: 11 characters, 31 bytes.
      expect(envError({ JWT_SECRET: `${'€'.repeat(10)}x` }).message).toBe(
        'Invalid environment: JWT_SECRET must be at least 32 bytes',
      );
    });

    it('should accept a secret of exactly 32 bytes', () => {
      expect(validateEnv({ JWT_SECRET: 'x'.repeat(32) }).JWT_SECRET).toBe('x'.repeat(32));
    });

    it('should list every bad variable on the same line', () => {
      const { message } = envError({ PORT: 'abc', NODE_ENV: 'staging' });
      expect(message).not.toMatch(/[\r\n]/);
      expect(message).toContain('PORT must be a port number');
      expect(message).toContain('NODE_ENV must be development, production or test');
    });
  });

  describe('production', () => {
    it('should require JWT_SECRET', () => {
      expect(envError({ NODE_ENV: 'production' }).message).toMatch(
        /^Invalid environment: JWT_SECRET is required in production/,
      );
    });

    it('should accept an unpublished JWT_SECRET', () => {
      expect(validateEnv({ NODE_ENV: 'production', JWT_SECRET: SECRET }).JWT_SECRET).toBe(SECRET);
    });

    it('should refuse the .env.example placeholder as a published secret without quoting it', () => {
      expect(publishedSecretSource(ENV_EXAMPLE_SECRET)).toBe("this project's .env.example");
      const { message } = envError({ NODE_ENV: 'production', JWT_SECRET: ENV_EXAMPLE_SECRET });
      expect(message).toBe(
        "Invalid environment: JWT_SECRET must not be a published secret in production (this one is from this project's .env.example)",
      );
      expect(message).not.toContain(ENV_EXAMPLE_SECRET);
    });

    it.each([
      ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
      ['your-256-bit-secret-your-256-bit-secret'],
      ['thisismysupersecretkeythatnobodywillguess'],
      ['0123456789abcdefghijklmnopqrstuvwxyz'],
      ['correct-horse-battery-staple-1234'],
    ])('should refuse a guessable JWT_SECRET (%p), saying how to make one, not quoting it', (secret) => {
      const { message } = envError({ NODE_ENV: 'production', JWT_SECRET: secret });
      expect(message).toBe(
        'Invalid environment: JWT_SECRET must be random: it is estimated at under 128 bits of entropy ' +
          '(words, runs or repeats); generate one with `openssl rand -base64 48`',
      );
      expect(message).not.toContain(secret);
    });

    it('should let development use a guessable JWT_SECRET', () => {
      expect(validateEnv({ JWT_SECRET: 'a'.repeat(32) }).JWT_SECRET).toBe('a'.repeat(32));
    });

    it('should let development use the .env.example placeholder', () => {
      expect(validateEnv({ NODE_ENV: 'development', JWT_SECRET: ENV_EXAMPLE_SECRET }).JWT_SECRET).toBe(
        ENV_EXAMPLE_SECRET,
      );
    });
  });
});

describe('publishedSecretSource', () => {
  it('should return undefined for a secret no one published', () => {
    expect(publishedSecretSource(SECRET)).toBeUndefined();
  });
  describe('WEBAUTHN_*', () => {
    it('should derive the origin from PORT and take a list of origins on the RP ID or its subdomains', () => {
      expect(validateEnv({ PORT: '8080' }).WEBAUTHN_ORIGIN).toBe('http://localhost:8080');
      expect(
        validateEnv({
          WEBAUTHN_RP_ID: 'example.com',
          WEBAUTHN_ORIGIN: 'https://example.com, https://auth.example.com:8443',
        }),
      ).toEqual(expect.objectContaining({ WEBAUTHN_RP_ID: 'example.com' }));
    });

    it.each([
      [
        { WEBAUTHN_RP_ID: '127.0.0.1' },
        'WEBAUTHN_RP_ID must be a domain name, not an IP address (use localhost for local use)',
      ],
      [
        { WEBAUTHN_RP_ID: 'https://example.com' },
        'WEBAUTHN_RP_ID must be a lower-case domain name (no scheme, port or path)',
      ],
      [
        { WEBAUTHN_ORIGIN: 'http://127.0.0.1:3000' },
        'WEBAUTHN_ORIGIN must use https (http only on localhost)',
      ],
      [
        { WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGIN: 'https://example.org' },
        'WEBAUTHN_ORIGIN must each be on WEBAUTHN_RP_ID (example.com) or a subdomain of it',
      ],
      [
        { WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGIN: 'https://badexample.com' },
        'WEBAUTHN_ORIGIN must each be on WEBAUTHN_RP_ID (example.com) or a subdomain of it',
      ],
      [
        { WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGIN: 'http://example.com' },
        'WEBAUTHN_ORIGIN must use https (http only on localhost)',
      ],
      [
        { WEBAUTHN_ORIGIN: 'http://localhost:3000/login' },
        'WEBAUTHN_ORIGIN must be origins only (scheme, host and port; no path, query or credentials)',
      ],
      [
        { WEBAUTHN_ORIGIN: 'localhost' },
        'WEBAUTHN_ORIGIN must be a list of URLs like https://auth.example.com',
      ],
    ])('should refuse %p', (raw, message) => {
      expect(envError(raw).message).toBe(`Invalid environment: ${message}`);
    });
  });

  describe('mail', () => {
    const PROD = { NODE_ENV: 'production', JWT_SECRET: SECRET };

    it('should send over SMTP_URL, write files without it, and be off in production without it', () => {
      expect(validateEnv({ SMTP_URL: 'smtp://mail:587' }).MAIL_MODE).toBe('smtp');
      expect(validateEnv({}).MAIL_MODE).toBe('files');
      expect(validateEnv(PROD)).toMatchObject({ MAIL_MODE: 'off', PUBLIC_URL: undefined });
    });

    it('should read INVITE_TTL (seconds, 60 to 30 days) and EMAIL_LOGIN_ENABLED', () => {
      expect(validateEnv({ INVITE_TTL: '3600', EMAIL_LOGIN_ENABLED: 'true' })).toMatchObject({
        INVITE_TTL: 3600,
        EMAIL_LOGIN_ENABLED: true,
      });
      expect(envError({ INVITE_TTL: '59' }).message).toBe(
        'Invalid environment: INVITE_TTL must be between 60 and 2592000',
      );
      expect(envError({ EMAIL_LOGIN_ENABLED: 'yes' }).message).toBe(
        'Invalid environment: EMAIL_LOGIN_ENABLED must be true or false',
      );
    });

    it('should derive PUBLIC_URL from PORT and drop a trailing slash', () => {
      expect(validateEnv({ PORT: '8080' }).PUBLIC_URL).toBe('http://localhost:8080');
      expect(validateEnv({ PUBLIC_URL: 'https://auth.example.com/base/' }).PUBLIC_URL).toBe(
        'https://auth.example.com/base',
      );
    });

    it('should require PUBLIC_URL and MAIL_FROM in production when SMTP_URL is set', () => {
      expect(envError({ ...PROD, SMTP_URL: 'smtps://u:hunter2@mail:465' }).message).toBe(
        'Invalid environment: PUBLIC_URL is required in production when SMTP_URL is set; ' +
          'MAIL_FROM is required in production when SMTP_URL is set',
      );
      expect(
        validateEnv({
          ...PROD,
          SMTP_URL: 'smtp://mail:587?requireTLS=true',
          PUBLIC_URL: 'https://auth.example.com',
          MAIL_FROM: 'no-reply@example.com',
        }).MAIL_MODE,
      ).toBe('smtp');
    });

    it('should refuse SIGNUP_REQUIRE_EMAIL with sign-up on and mail off, and read it as a flag', () => {
      expect(envError({ ...PROD, SIGNUP_ENABLED: 'true', SIGNUP_REQUIRE_EMAIL: 'true' }).message).toBe(
        'Invalid environment: SIGNUP_REQUIRE_EMAIL needs mail: set SMTP_URL (in production mail is off without it)',
      );
      expect(validateEnv({ ...PROD, SIGNUP_REQUIRE_EMAIL: 'true' }).SIGNUP_REQUIRE_EMAIL).toBe(true);
      expect(validateEnv({ SIGNUP_ENABLED: 'true', SIGNUP_REQUIRE_EMAIL: '1' })).toMatchObject({
        SIGNUP_REQUIRE_EMAIL: true,
        MAIL_MODE: 'files',
      });
      expect(envError({ SIGNUP_REQUIRE_EMAIL: 'yes' }).message).toBe(
        'Invalid environment: SIGNUP_REQUIRE_EMAIL must be true or false',
      );
    });

    it.each([
      [{ PUBLIC_URL: 'auth.example.com' }, 'PUBLIC_URL must be an absolute http:// or https:// URL'],
      [{ PUBLIC_URL: 'ftp://auth.example.com' }, 'PUBLIC_URL must be an absolute http:// or https:// URL'],
      [{ PUBLIC_URL: 'https://auth.example.com/?a=1' }, 'PUBLIC_URL must not have a query or a fragment'],
      [{ PUBLIC_URL: 'https://auth.example.com/#x' }, 'PUBLIC_URL must not have a query or a fragment'],
      [{ PUBLIC_URL: 'https://u:p@auth.example.com' }, 'PUBLIC_URL must not hold credentials'],
      [{ SMTP_URL: 'http://u:hunter2@mail' }, 'SMTP_URL must be an smtp:// or smtps:// URL with a host'],
      [{ MAIL_FROM: 'Auth <a@example.com>' }, 'MAIL_FROM must be one address such as no-reply@example.com'],
      [
        { MAIL_FROM: 'a@example.com\r\nBcc: x@y' },
        'MAIL_FROM must be one address such as no-reply@example.com',
      ],
      [{ PASSWORD_RESET_TTL: '10' }, 'PASSWORD_RESET_TTL must be between 60 and 604800'],
      [{ MAIL_POLL_INTERVAL: '0' }, 'MAIL_POLL_INTERVAL must be between 1 and 3600'],
      [{ MAIL_TARGET_LIMIT: '0' }, 'MAIL_TARGET_LIMIT must be between 1 and 1000000'],
      [{ EMAIL_VERIFICATION_TTL: '1h' }, 'EMAIL_VERIFICATION_TTL must be a whole number of seconds'],
      [{ EMAIL_VERIFICATION_REQUIRED: 'yes' }, 'EMAIL_VERIFICATION_REQUIRED must be true or false'],
    ])('should refuse %p without echoing it', (raw, message) => {
      const error = envError(raw);
      expect(error.message).toBe(`Invalid environment: ${message}`);
      expect(error.message).not.toContain('hunter2');
    });
  });
});
