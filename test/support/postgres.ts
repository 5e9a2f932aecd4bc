import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * PostgreSQL for the e2e tests, when TEST_DATABASE=postgres (npm run test:postgres): a fresh
 * database per test file, created on the server at TEST_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432, trust auth as on the CI machines), named after the run
 * (E2E_RUN, set by test/support/global-setup.mjs) so that the global teardown drops them all.
 */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

export const usingPostgres = () => process.env.TEST_DATABASE === 'postgres';

/** Creates a database and returns its URL. Synchronous: jest's setupFiles cannot wait. */
export function createTestDatabase(): string {
  const name = `e2e_${process.env.E2E_RUN ?? 'adhoc'}_${randomBytes(4).toString('hex')}`;
  runSql(`CREATE DATABASE ${name}`);
  return `${TEST_POSTGRES_URL}/${name}`;
}

/** Runs one statement on the server's postgres database, through pg in a child process. */
export function runSql(sql: string): void {
  const script = `
    const { Client } = require('pg');
    const client = new Client({ connectionString: process.argv[1] + '/postgres', connectionTimeoutMillis: 5000 });
    client.connect().then(() => client.query(process.argv[2])).then(
      () => client.end(),
      (error) => { console.error(String(error)); process.exit(1); },
    );`;
  execFileSync(process.execPath, ['-e', script, TEST_POSTGRES_URL, sql], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * Why the PostgreSQL suites cannot run here, or undefined when they can. Where the servers must
 * exist (CI sets REQUIRE_SERVICES=1), their absence is an error, not a skip.
 */
export function postgresUnavailable(): string | undefined {
  try {
    runSql('SELECT 1');
    return undefined;
  } catch {
    const reason = `PostgreSQL is not reachable at ${TEST_POSTGRES_URL} (set TEST_POSTGRES_URL)`;
    if (process.env.REQUIRE_SERVICES === '1') {
      throw new Error(`${reason}, and REQUIRE_SERVICES=1 says it must be`);
    }
    return reason;
  }
}

export function dropTestDatabase(url: string): void {
  runSql(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
}
