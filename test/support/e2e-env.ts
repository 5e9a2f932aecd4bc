// Runs before every e2e and browser test file, before AppModule is imported (ConfigModule reads
// the environment then). Each file gets its own data directory, hence its own database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, usingPostgres } from './postgres.js';

export const TEST_JWT_SECRET = 'e2e-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

process.env.NODE_ENV = 'test';
process.env.DATA_DIR = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-e2e-'));
process.env.JWT_SECRET = TEST_JWT_SECRET;
// The in-process apps' database: SQLite in DATA_DIR, or a fresh PostgreSQL database of this file.
// Services started as child processes (test/support/server-process.ts) keep their own SQLite.
if (usingPostgres()) {
  process.env.DATABASE_URL = createTestDatabase();
} else {
  delete process.env.DATABASE_URL;
}
process.env.JWT_ISSUER = 'nest-jwt-auth';
process.env.JWT_AUDIENCE = 'nest-jwt-auth';
delete process.env.DATABASE_PATH;
delete process.env.ADMIN_NAME;
delete process.env.ADMIN_PASSWORD;
delete process.env.ACCESS_TOKEN_TTL;
// Short enough for a replay test to wait it out, long enough for two simultaneous refreshes.
process.env.REFRESH_REUSE_GRACE = '2';
delete process.env.SIGNUP_ENABLED;
delete process.env.SIGNUP_REQUIRE_EMAIL;
delete process.env.SESSION_IDLE_TTL;
delete process.env.SESSION_MAX_TTL;
// Throttling has its own tests (test/e2e/throttling.e2e-spec.ts); elsewhere it would only get
// in the way of the many logins the tests make from one address.
process.env.LOGIN_RATE_LIMIT = '1000000';
process.env.LOGIN_FAILURE_LIMIT = '1000000';
delete process.env.TRUST_PROXY;
// No Redis unless a test brings its own (test/support/redis.ts): a developer's REDIS_URL stays out.
delete process.env.REDIS_URL;
delete process.env.REDIS_KEY_PREFIX;
// Mail goes to files under DATA_DIR/outbox unless a test starts its own SMTP server.
for (const variable of [
  'SMTP_URL',
  'PUBLIC_URL',
  'MAIL_FROM',
  'EMAIL_VERIFICATION_REQUIRED',
  'EMAIL_LOGIN_ENABLED',
  'INVITE_TTL',
]) {
  delete process.env[variable];
}
// Quiet test output; test/e2e/audit-log.e2e-spec.ts reads the logs of a real process instead.
process.env.LOG_LEVEL = 'silent';
