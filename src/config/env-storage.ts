import { z } from 'zod';
import { seconds } from './env-rules.js';

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

/** The database: the embedded SQLite file, or PostgreSQL. */
export const databaseVariables = {
  DATA_DIR: z.string().trim().min(1, 'must not be empty').default('data'),
  DATABASE_PATH: z.string().trim().min(1, 'must not be empty').optional(),
  // PostgreSQL instead of the embedded SQLite; never echoed (it holds a password).
  DATABASE_URL: z
    .string()
    .trim()
    .refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL with a host and a database name')
    .optional(),
  DATABASE_TIMEOUT: seconds(5, 1, 120),
};

/** Redis, which the instances share state through. */
export const redisVariables = {
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
};
