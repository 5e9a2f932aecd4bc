import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';

/**
 * Runs `work` while holding a PostgreSQL session-level advisory lock named `name`, on a connection
 * of its own (released and unlocked whatever `work` does). On SQLite it just runs `work`: the
 * database is a file in one process's data directory, and its writes are serialised anyway.
 */
export async function withAdvisoryLock<T>(
  dataSource: DataSource,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  if (dataSource.options.type !== 'postgres') {
    return work();
  }
  const runner = dataSource.createQueryRunner();
  try {
    await acquire(runner, name);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [name]);
    }
  } finally {
    await runner.release();
  }
}

/** How long an instance waits for another one's migrations before it gives up starting. */
const LOCK_WAIT_MS = 120_000;
const LOCK_POLL_MS = 100;

/**
 * Polls pg_try_advisory_lock rather than blocking in pg_advisory_lock: a blocked statement would
 * hit statement_timeout (DATABASE_TIMEOUT) while another instance runs a long migration.
 */
async function acquire(runner: QueryRunner, name: string): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    // hashtext() folds the name into the lock's integer key, the same on every instance.
    const rows = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [name])) as {
      locked: boolean;
    }[];
    if (rows[0]?.locked === true) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `another instance has held the database lock "${name}" for over ${LOCK_WAIT_MS / 1000} s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
}

/** withAdvisoryLock as a provider, for work after start-up (the first account's seeding). */
@Injectable()
export class DatabaseLock {
  constructor(private readonly dataSource: DataSource) {}

  run<T>(name: string, work: () => Promise<T>): Promise<T> {
    return withAdvisoryLock(this.dataSource, name, work);
  }
}
