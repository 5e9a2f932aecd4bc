// (5b) The embedded default and one instance on PostgreSQL (+ Redis) in alternating rounds (ABBA...),
// each on a fresh start: rows measured minutes apart on a shared machine differ by more than the
// gap the target asks about, and one long-lived process's young generation is sized by its own
// history (docs/decisions.md). Reports each round's ratio of req/s and of server CPU per request.
import { join } from 'node:path';
import { login } from '../lib/client.mjs';
import { median, num, say } from '../lib/format.mjs';
import { loadProblems } from '../lib/load.mjs';
import { INTERLEAVED_ROUNDS, USER_CONNECTIONS } from '../lib/settings.mjs';

/** `{ rounds, rateRatio, cpuRatio }`; `env` is what the scaled side gets (DATABASE_URL, REDIS_URL). */
export async function measureInterleaved(runner, dir, label, { secret, password, env }, problems) {
  const rounds = runner.options.quick ? 1 : INTERLEAVED_ROUNDS;
  say(`  (5b) GET /user, the embedded default and ${label} one after the other, ${rounds} round(s)`);
  const sides = [
    { name: 'embedded', env: {} },
    { name: 'scaled', env },
  ];
  const result = { rounds: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    const figures = {};
    for (const side of order) {
      const tag = `interleaved-${round + 1}-${side.name}`;
      const { child, url } = await runner.startService(dir, tag, {
        dataDir: join(dir, `${tag}-data`),
        secret,
        password,
        env: side.env,
      });
      try {
        const token = await login(url, 'bench', password);
        const run = await runner.measure(child, {
          url: `${url}/user`,
          headers: { authorization: `Bearer ${token}` },
          connections: USER_CONNECTIONS,
        });
        problems.push(...loadProblems(`${label} interleaved ${side.name} GET /user`, run, [200]));
        figures[side.name] = {
          perSecond: run.perSecond,
          p99Ms: run.latency.p99Ms,
          serverCpuPercent: run.serverCpuPercent,
          otherCpuPercent: run.otherCpuPercent,
          // Server CPU per request, in µs: what the rate is once the core is the only limit.
          cpuPerRequestUs: (run.serverCpuPercent * 1e4) / run.perSecond,
        };
      } finally {
        await runner.stop(child);
      }
    }
    const { embedded, scaled } = figures;
    const entry = {
      ...figures,
      rateRatio: scaled.perSecond / embedded.perSecond,
      cpuRatio: embedded.cpuPerRequestUs / scaled.cpuPerRequestUs,
    };
    result.rounds.push(entry);
    say(
      `      round ${round + 1}: embedded ${num(embedded.perSecond)} req/s (${num(embedded.cpuPerRequestUs)} µs CPU/request), ` +
        `${label} ${num(scaled.perSecond)} req/s (${num(scaled.cpuPerRequestUs)} µs): ${num(entry.rateRatio * 100)}% of the rate, ` +
        `${num(entry.cpuRatio * 100)}% by CPU per request`,
    );
  }
  result.rateRatio = median(result.rounds.map((r) => r.rateRatio));
  result.cpuRatio = median(result.rounds.map((r) => r.cpuRatio));
  return result;
}
