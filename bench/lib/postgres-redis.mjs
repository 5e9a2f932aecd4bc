// PostgreSQL and Redis for the scale-out figures (issue 12): whether they are reachable, a fresh
// database per run (dropped after it), and whether the service knows REDIS_URL at all.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { createClient } from 'redis';

/** The server the bench creates its database on (trust auth on the development and CI machines). */
export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONNECT_TIMEOUT_MS = 3_000;
const QUERY_TIMEOUT_MS = 30_000;

/** `url` with its path replaced by `/database`. */
function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.href;
}

/** Scheme, host and port: what a message may show of a URL (no credentials). */
const shown = (url) => {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
};

async function query(sql) {
  const client = new pg.Client({
    connectionString: withDatabase(POSTGRES_URL, 'postgres'),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // A server that accepts connections but never answers must not hang the run.
    query_timeout: QUERY_TIMEOUT_MS,
  });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** `{ ok: true, version }`, or `{ ok: false, reason }` when the server cannot be reached. */
export async function postgresStatus() {
  try {
    const { rows } = await query('SHOW server_version');
    return { ok: true, version: `PostgreSQL ${rows[0].server_version.split(' ')[0]}` };
  } catch (error) {
    return {
      ok: false,
      reason: `PostgreSQL is not reachable at ${shown(POSTGRES_URL)} (${error.message || error.code}; set BENCH_POSTGRES_URL)`,
    };
  }
}

/** A fresh, empty database: its name and the DATABASE_URL the service gets. */
export async function createDatabase() {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  await query(`CREATE DATABASE ${name}`);
  return { name, url: withDatabase(POSTGRES_URL, name) };
}

export async function dropDatabase(name) {
  await query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

/**
 * Whether the service's environment schema has REDIS_URL, in any of the files it is spread over
 * (src/config/env-*.ts): a build without Redis support runs these rows on PostgreSQL alone.
 */
export function serviceKnowsRedis(root) {
  const config = join(root, 'src', 'config');
  return readdirSync(config)
    .filter((file) => file.endsWith('.ts'))
    .some((file) => /^\s*REDIS_URL\s*:/m.test(readFileSync(join(config, file), 'utf8')));
}

/**
 * Whether the rows use Redis: `{ used: true, url, prefix, version }` with a key prefix of this
 * run's own, or `{ used: false, reason }` (the service does not know REDIS_URL, or Redis is down).
 */
export async function redisStatus(root) {
  if (!serviceKnowsRedis(root)) {
    return {
      used: false,
      reason: 'src/config/ has no REDIS_URL (a build without Redis support)',
    };
  }
  const client = createClient({
    url: REDIS_URL,
    socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false },
  });
  client.on('error', () => {}); // the failed connect() reports it
  try {
    await client.connect();
    const info = await client.info('server');
    const version = /^redis_version:(\S+)/m.exec(info)?.[1] ?? 'unknown';
    return {
      used: true,
      url: REDIS_URL,
      prefix: `bench-${randomBytes(6).toString('hex')}:`,
      version: `Redis ${version}`,
    };
  } catch (error) {
    return {
      used: false,
      reason: `Redis is not reachable at ${shown(REDIS_URL)} (${error.message || error.code}; set BENCH_REDIS_URL)`,
    };
  } finally {
    if (client.isOpen) {
      await client.quit();
    }
  }
}

/** Deletes the keys the run's services wrote under `prefix`. */
export async function clearRedisPrefix(url, prefix) {
  const client = createClient({
    url,
    socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: false },
  });
  client.on('error', () => {});
  await client.connect();
  try {
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
      const keys = Array.isArray(batch) ? batch : [batch];
      if (keys.length > 0) {
        await client.del(keys);
      }
    }
  } finally {
    await client.quit();
  }
}
