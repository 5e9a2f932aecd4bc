import type { DataSource } from 'typeorm';
import { withAdvisoryLock } from './database-lock.js';

/** The advisory-lock key instances take around migrations and first-account seeding. */
export const SCHEMA_LOCK = 'nest-jwt-auth:schema';

/**
 * Brings the schema up to date. On PostgreSQL, several instances may start at the same moment on
 * an empty database: the advisory lock lets one migrate while the others wait, then find nothing
 * left to run (no "relation already exists"). SQLite is one file of one writer: no lock needed.
 */
export async function migrate(dataSource: DataSource): Promise<void> {
  await withAdvisoryLock(dataSource, SCHEMA_LOCK, () => dataSource.runMigrations({ transaction: 'each' }));
}
