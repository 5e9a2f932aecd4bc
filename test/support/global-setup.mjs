// Jest's global set-up and teardown (jest.config.js): with TEST_DATABASE=postgres, names this run
// so that each test file's database (test/support/postgres.ts) can be dropped at the end.
import { randomBytes } from 'node:crypto';
import process from 'node:process';
import pg from 'pg';

const SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

export default async function setup() {
  if (process.env.TEST_DATABASE !== 'postgres') {
    return;
  }
  // Inherited by the workers jest starts after this.
  process.env.E2E_RUN = randomBytes(3).toString('hex');
  const client = new pg.Client({ connectionString: `${SERVER}/postgres`, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `TEST_DATABASE=postgres, but PostgreSQL at ${SERVER} cannot be reached: ${String(error)}`,
      {
        cause: error,
      },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function teardown() {
  if (process.env.TEST_DATABASE !== 'postgres') {
    return;
  }
  const client = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [
      `e2e\\_${process.env.E2E_RUN}\\_%`,
    ]);
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  } finally {
    await client.end();
  }
}
