// The login figures: the bare argon2 verify rate the login is read against (bench/argon2-rate.mjs),
// (2) POST /login with valid credentials, and (3) GET /user during a flood of valid logins. (2)
// and (3) run on the service row's process (figures/service.mjs), after its (1).
import { spawnSync } from 'node:child_process';
import { describe, ms, num, say } from '../lib/format.mjs';
import { loadProblems, runLoad } from '../lib/load.mjs';
import { cpuSince, cpuSnapshot, machineBusySeconds } from '../lib/processes.mjs';
import { withBuild } from '../lib/runner.mjs';
import {
  ARGON2_RATE,
  FLOOD_CONNECTIONS,
  FLOOD_TIMEOUT_S,
  LOGIN_CONNECTIONS,
  USER_CONNECTIONS,
} from '../lib/settings.mjs';

/** The bare argon2 verify rate with the service's ARGON2_OPTIONS, on the server's CPU. */
export async function bareArgon2(runner, when) {
  const { warmup, duration } = runner.options;
  say(
    `argon2 (${when}): bare verify rate with the service's ARGON2_OPTIONS, one in flight per CPU it may use (${warmup} s warm-up + ${duration} s)`,
  );
  const args = [ARGON2_RATE, '--duration', String(duration), '--warmup', String(warmup)];
  const [file, argv] =
    runner.pin === null
      ? [process.execPath, args]
      : ['taskset', ['-c', runner.pin, process.execPath, ...args]];
  await runner.settle();
  const result = await withBuild(async () => {
    const busyBefore = await machineBusySeconds();
    const started = performance.now();
    const run = spawnSync(file, argv, { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    if (run.status !== 0) {
      throw Object.assign(new Error(`bench/argon2-rate.mjs failed (${run.status ?? run.signal})`), {
        tail: run.stderr,
      });
    }
    const figures = JSON.parse(run.stdout);
    const wall = (performance.now() - started) / 1000;
    const others = (await machineBusySeconds()) - busyBefore - figures.totalCpuSeconds;
    figures.otherCpuPercent = Math.max(0, (others / wall) * 100);
    return figures;
  });
  runner.checkInterrupted();
  say(
    `  ${num(result.perSecond, 1)} verifies/s, ${ms(result.latency.p50Ms)} p50, ${ms(result.latency.p99Ms)} p99 per verify ` +
      `(argon2id m=${result.options.memoryCost} KiB t=${result.options.timeCost} p=${result.options.parallelism}), ` +
      `other processes' CPU ${num(result.otherCpuPercent)}%`,
  );
  return result;
}

/**
 * The two bare runs around the service's figures as the report keeps them: the faster one's
 * figures (the login is read against it: one 10 s sample varies by +-10% here, too much to read
 * a 90% target against), and both runs'.
 */
export function fasterArgon2(before, after) {
  const fastest = after.perSecond > before.perSecond ? after : before;
  return {
    ...fastest,
    runs: [before, after].map(({ perSecond, latency, otherCpuPercent }) => ({
      perSecond,
      latency,
      otherCpuPercent,
    })),
  };
}

/** (2) POST /login with valid credentials on the service's process. */
export async function measureLogin(runner, child, loginSpec, problems) {
  const { warmup, duration } = runner.options;
  say(
    `  (2) POST /login, valid credentials, ${LOGIN_CONNECTIONS} connections (${warmup} s warm-up + ${duration} s)`,
  );
  const run = await runner.measure(child, { ...loginSpec, connections: LOGIN_CONNECTIONS });
  problems.push(...loadProblems('service POST /login', run, [200]));
  say(`      ${describe(run, 'logins/s')}`);
  return run;
}

/** (3) GET /user at USER_CONNECTIONS while FLOOD_CONNECTIONS send valid logins. */
export async function measureFlood(runner, child, userSpec, loginSpec, problems) {
  const { warmup, duration } = runner.options;
  say(
    `  (3) GET /user at ${USER_CONNECTIONS} connections during a flood of valid logins at ${FLOOD_CONNECTIONS} (${warmup} s warm-up + ${duration} s)`,
  );
  const both = (seconds) =>
    Promise.all([
      runLoad({ ...userSpec, duration: seconds }, runner.running),
      // The flood is the load, not a figure with a deadline: while GET /user saturates the core,
      // hashing runs at nice 15 and a queued login may wait longer than autocannon's default
      // 10 s (its latency is reported either way).
      runLoad(
        { ...loginSpec, connections: FLOOD_CONNECTIONS, duration: seconds, timeout: FLOOD_TIMEOUT_S },
        runner.running,
      ),
    ]);
  await runner.settle();
  if (warmup > 0) {
    await both(warmup);
    runner.checkInterrupted();
  }
  const before = await cpuSnapshot(child);
  const [user, flood] = await both(duration);
  runner.checkInterrupted();
  const isolation = { user, flood, ...(await cpuSince(before, child)) };
  // With --quick's 2 s window, starved hashing (nice 15 behind a saturated core) may finish no
  // login at all: by design, not a fault. A full run must see logins progress.
  const floodProblems = loadProblems('service login flood', flood, [200]).filter(
    (problem) => !(runner.options.quick && problem.endsWith('no response at all')),
  );
  problems.push(...loadProblems('service GET /user during the flood', user, [200]), ...floodProblems);
  say(
    `      GET /user ${describe(user)}; flood ${describe(flood, 'logins/s')}; ` +
      `server CPU ${num(isolation.serverCpuPercent)}%, other processes' CPU ${num(isolation.otherCpuPercent)}%`,
  );
  return isolation;
}
