// (5) and (6): GET /user on PostgreSQL (+ Redis when the service knows REDIS_URL and Redis
// answers), one instance pinned like the service, then two, one per CPU, on the same fresh
// database (+ key prefix), dropped (deleted) after; then (5b) (figures/scale-out-interleaved.mjs).
// Skipped, with the reason, without PostgreSQL (BENCH_POSTGRES_URL, lib/postgres-redis.mjs).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../../scripts/lib/service-process.mjs';
import { login } from '../lib/client.mjs';
import { describe, megabytes, num, say } from '../lib/format.mjs';
import { loadProblems } from '../lib/load.mjs';
import { GENERATOR_CPU, SERVER_CPU } from '../lib/machine.mjs';
import {
  clearRedisPrefix,
  createDatabase,
  dropDatabase,
  postgresStatus,
  redisStatus,
} from '../lib/postgres-redis.mjs';
import { probe } from '../lib/processes.mjs';
import { IDLE_SETTLE_MS, USER_CONNECTIONS } from '../lib/settings.mjs';
import { measureInterleaved } from './scale-out-interleaved.mjs';

/** `{ label, postgres, redis, single, pair, interleaved, problems }`, or `{ skipped, problems }`. */
export async function measureScaleOut(runner, dir) {
  const postgres = await postgresStatus();
  if (!postgres.ok) {
    say(`(5) and (6) GET /user on PostgreSQL: skipped, ${postgres.reason}`);
    return { skipped: postgres.reason, problems: [] };
  }
  const redis = await redisStatus(ROOT);
  const label = redis.used ? 'PostgreSQL + Redis' : 'PostgreSQL alone';
  say(
    `${label}: ${postgres.version}${redis.used ? `, ${redis.version}, key prefix ${redis.prefix}` : ` (no Redis: ${redis.reason})`}`,
  );
  const database = await createDatabase();
  say(`  fresh database ${database.name} (dropped after these figures)`);
  const result = {
    label,
    postgres: postgres.version,
    redis: redis.used
      ? { used: true, version: redis.version, prefix: redis.prefix }
      : { used: false, reason: redis.reason },
    problems: [],
  };
  const env = {
    DATABASE_URL: database.url,
    ...(redis.used ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix } : {}),
  };
  const secret = randomBytes(48).toString('base64');
  const password = randomBytes(18).toString('base64url');
  try {
    result.single = await measureSingle(runner, dir, label, { secret, password, env }, result.problems);
    result.pair = await measurePair(runner, dir, label, { secret, password, env }, result.problems);
    result.interleaved = await measureInterleaved(
      runner,
      dir,
      label,
      { secret, password, env },
      result.problems,
    );
  } finally {
    // Also after a failure or an interrupt: nothing of the run is left on the servers.
    try {
      await dropDatabase(database.name);
      if (redis.used) {
        await clearRedisPrefix(redis.url, redis.prefix);
      }
    } catch (error) {
      say(`  could not clean up (database ${database.name}, Redis prefix ${redis.prefix}): ${error.message}`);
    }
  }
  return result;
}

/** (5) One instance, pinned like the service row. */
async function measureSingle(runner, dir, label, { secret, password, env }, problems) {
  const { child, url } = await runner.startService(dir, 'postgres-single', {
    dataDir: join(dir, 'postgres-single-data'),
    secret,
    password,
    env,
  });
  say(`  service on ${label}: pid ${child.pid} on ${url} (log in ${child.logFile})`);
  const result = {};
  try {
    await sleep(IDLE_SETTLE_MS);
    result.idleRssKb = await child.memoryKb();
    const token = await login(url, 'bench', password);
    const { warmup, duration } = runner.options;
    say(
      `  (5) GET /user on ${label}, ${USER_CONNECTIONS} connections (${warmup} s warm-up + ${duration} s); idle RSS ${megabytes(result.idleRssKb)}`,
    );
    result.getUser = await runner.measure(child, {
      url: `${url}/user`,
      headers: { authorization: `Bearer ${token}` },
      connections: USER_CONNECTIONS,
    });
    problems.push(...loadProblems(`${label} GET /user`, result.getUser, [200]));
    result.peakRssKb = await child.memoryKb('VmHWM');
    say(
      `      ${describe(result.getUser)}; RSS now ${megabytes(result.getUser.rssAfterKb)}, peak ${megabytes(result.peakRssKb)}`,
    );
  } catch (error) {
    error.tail ??= await child.tail();
    throw error;
  } finally {
    await runner.stopChecked(child, problems, `${label} service`);
  }
  return result;
}

/** (6) Two instances on the same database, one per CPU, one autocannon instance each. */
async function measurePair(runner, dir, label, { secret, password, env }, problems) {
  // One instance per CPU; without pinning (no taskset, one CPU) they share whatever there is.
  const pins = runner.pin === null ? [null, null] : [SERVER_CPU, GENERATOR_CPU];
  const started = [];
  const result = { pins };
  try {
    for (const [i, pin] of pins.entries()) {
      started.push(
        await runner.startService(dir, `postgres-pair-${i + 1}`, {
          dataDir: join(dir, `postgres-pair-${i + 1}-data`),
          secret,
          password,
          env,
          pin,
        }),
      );
    }
    const children = started.map(({ child }) => child);
    say(
      `  two services on ${label}: ${started.map(({ child, url }, i) => `pid ${child.pid} on ${url}${pins[i] === null ? '' : ` (CPU ${pins[i]})`}`).join(', ')}`,
    );
    await sleep(IDLE_SETTLE_MS);
    result.idleRssKb = await Promise.all(children.map((child) => child.memoryKb()));
    // One login; its token must open the other instance too (same secret, same sessions).
    const token = await login(started[0].url, 'bench', password);
    const auth = { authorization: `Bearer ${token}` };
    for (const { url } of started) {
      const status = await probe(`${url}/user`, auth);
      if (status !== 200) {
        throw new Error(`GET ${url}/user with the other instance's token answered ${status}`);
      }
    }
    const { warmup, duration } = runner.options;
    const generatorCpus = runner.pin === null ? null : `${SERVER_CPU},${GENERATOR_CPU}`;
    say(
      `  (6) GET /user on both, ${USER_CONNECTIONS} connections each (${warmup} s warm-up + ${duration} s)` +
        (generatorCpus === null ? '' : `, load generator on CPUs ${generatorCpus}`),
    );
    result.getUser = await runner.measureTogether(
      children,
      started.map(({ url }) => ({ url: `${url}/user`, headers: auth, connections: USER_CONNECTIONS })),
      { generatorCpus },
    );
    result.getUser.instances.forEach((run, i) =>
      problems.push(...loadProblems(`${label} GET /user, instance ${i + 1} of 2`, run, [200])),
    );
    result.peakRssKb = await Promise.all(children.map((child) => child.memoryKb('VmHWM')));
    say(
      `      together ${describe(result.getUser)}; ` +
        result.getUser.instances
          .map(
            (run, i) =>
              `instance ${i + 1}: ${num(run.perSecond)} req/s, CPU ${num(run.serverCpuPercent)}%, peak RSS ${megabytes(result.peakRssKb[i])}`,
          )
          .join('; '),
    );
  } catch (error) {
    error.tail ??= (await Promise.all(started.map(({ child }) => child.tail()))).join('\n---\n');
    throw error;
  } finally {
    for (const { child } of started) {
      await runner.stopChecked(child, problems, child.label);
    }
  }
  return result;
}
