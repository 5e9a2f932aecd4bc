// (7) Signing algorithms: the bare jsonwebtoken sign and verify cost of ES256, RS256 and HS256
// (bench/jwt-rate.mjs), then, in alternating rounds (ABC, CBA, ...), a fresh service for each with
// JWT_ALGORITHM set: GET /user with one token (the remembered-token path), GET /user with a token
// never seen before on every request (the signature-check path, figures/new-tokens.mjs), POST /login.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ROOT } from '../../scripts/lib/service-process.mjs';
import { login } from '../lib/client.mjs';
import { describe, median, num, say } from '../lib/format.mjs';
import { loadProblems } from '../lib/load.mjs';
import { machineBusySeconds } from '../lib/processes.mjs';
import { JWT_RATE, LOGIN_CONNECTIONS, USER_CONNECTIONS } from '../lib/settings.mjs';
import { measureNewTokens, summarize } from './new-tokens.mjs';

/** The signing algorithms JWT_ALGORITHM accepts, HS256 (the shared secret) last: the yardstick. */
const ALGORITHMS = ['ES256', 'RS256', 'HS256'];
/** Rounds, the three algorithms one after the other (ABC, CBA, ABC). */
const ALGORITHM_ROUNDS = 3;

/** The bare sign and verify cost per algorithm (bench/jwt-rate.mjs), on the server's CPU. */
async function jwtRate(runner) {
  // A micro-figure: a fifth of --duration per operation and algorithm is plenty (tens of µs each).
  const seconds = Math.max(0.5, runner.options.duration / 5);
  say(
    `  bare jsonwebtoken sign and verify per algorithm, in one process (${seconds} s each, after a warm-up)`,
  );
  const args = [JWT_RATE, '--duration', String(seconds)];
  const [file, argv] =
    runner.pin === null
      ? [process.execPath, args]
      : ['taskset', ['-c', runner.pin, process.execPath, ...args]];
  await runner.settle();
  const busyBefore = await machineBusySeconds();
  const started = performance.now();
  const run = spawnSync(file, argv, { cwd: ROOT, env: { PATH: process.env.PATH }, encoding: 'utf8' });
  if (run.status !== 0) {
    throw Object.assign(new Error(`bench/jwt-rate.mjs failed (${run.status ?? run.signal})`), {
      tail: run.stderr,
    });
  }
  const figures = JSON.parse(run.stdout);
  const wall = (performance.now() - started) / 1000;
  const others = (await machineBusySeconds()) - busyBefore - figures.totalCpuSeconds;
  figures.otherCpuPercent = Math.max(0, (others / wall) * 100);
  runner.checkInterrupted();
  say(
    `      ${ALGORITHMS.map((algorithm) => {
      const { sign, verify } = figures.algorithms[algorithm];
      return `${algorithm}: sign ${num(sign.cpuUsPerOperation, 1)} µs, verify ${num(verify.cpuUsPerOperation, 1)} µs`;
    }).join('; ')}; other processes' CPU ${num(figures.otherCpuPercent)}%`,
  );
  return figures;
}

/**
 * Each signing algorithm on a fresh service, started as the service row is but with
 * JWT_ALGORITHM set, in alternating rounds for the reason (5b) has. Each round reports every
 * algorithm's ratio to HS256 in the same round; the targets read their median.
 * `{ bare, rounds, median, problems }`.
 */
export async function measureAlgorithms(runner, dir) {
  const rounds = runner.options.quick ? 1 : ALGORITHM_ROUNDS;
  say(`(7) signing algorithms: ${ALGORITHMS.join(', ')}, fresh service each, ${rounds} round(s)`);
  const result = { bare: await jwtRate(runner), rounds: [], problems: [] };
  const secret = randomBytes(48).toString('base64');
  const password = randomBytes(18).toString('base64url');
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ALGORITHMS : [...ALGORITHMS].reverse();
    const figures = {};
    for (const algorithm of order) {
      figures[algorithm] = await algorithmFigures(runner, dir, `alg-${round + 1}-${algorithm}`, {
        algorithm,
        secret,
        password,
        problems: result.problems,
      });
    }
    const hs = figures.HS256;
    const ratios = {};
    for (const algorithm of ALGORITHMS.filter((name) => name !== 'HS256')) {
      const x = figures[algorithm];
      ratios[algorithm] = {
        getUserRate: x.getUser.perSecond / hs.getUser.perSecond,
        // As in (5b): HS256's CPU per request over this one's, so that 100% is parity here too.
        getUserCpu: hs.getUser.cpuPerRequestUs / x.getUser.cpuPerRequestUs,
        newTokenRate: x.newTokens.perSecond / hs.newTokens.perSecond,
        newTokenCpu: hs.newTokens.cpuPerRequestUs / x.newTokens.cpuPerRequestUs,
        login: x.login.perSecond / hs.login.perSecond,
      };
    }
    result.rounds.push({ order, figures, ratios });
    say(
      `      round ${round + 1} (${order.join(', ')}): ` +
        Object.entries(ratios)
          .map(
            ([algorithm, r]) =>
              `${algorithm}/HS256 GET /user ${num(r.getUserRate * 100)}% (${num(r.getUserCpu * 100)}% by CPU per request), ` +
              `new tokens ${num(r.newTokenRate * 100)}%, login ${num(r.login * 100)}%`,
          )
          .join('; '),
    );
  }
  result.median = medians(result.rounds);
  return result;
}

/** Per algorithm, the median of the rounds of each figure and ratio. */
function medians(rounds) {
  const medianOf = (pick) => median(rounds.map(pick));
  return Object.fromEntries(
    ALGORITHMS.map((algorithm) => [
      algorithm,
      {
        getUserPerSecond: medianOf((r) => r.figures[algorithm].getUser.perSecond),
        getUserCpuUs: medianOf((r) => r.figures[algorithm].getUser.cpuPerRequestUs),
        newTokensPerSecond: medianOf((r) => r.figures[algorithm].newTokens.perSecond),
        newTokensCpuUs: medianOf((r) => r.figures[algorithm].newTokens.cpuPerRequestUs),
        sameShapePerSecond: medianOf((r) => r.figures[algorithm].newTokens.sameShape.perSecond),
        sameShapeCpuUs: medianOf((r) => r.figures[algorithm].newTokens.sameShape.cpuPerRequestUs),
        // Per round, then the median: what a token's first presentation adds in that process.
        newTokenCostUs: medianOf(
          (r) =>
            r.figures[algorithm].newTokens.cpuPerRequestUs -
            r.figures[algorithm].newTokens.sameShape.cpuPerRequestUs,
        ),
        // What this algorithm's signature check adds over HMAC's, the rest of the path being the same.
        newTokenBeyondHs256Us: medianOf(
          (r) => r.figures[algorithm].newTokens.cpuPerRequestUs - r.figures.HS256.newTokens.cpuPerRequestUs,
        ),
        loginPerSecond: medianOf((r) => r.figures[algorithm].login.perSecond),
        ...(algorithm === 'HS256'
          ? {}
          : {
              ratios: Object.fromEntries(
                Object.keys(rounds[0].ratios[algorithm]).map((key) => [
                  key,
                  medianOf((r) => r.ratios[algorithm][key]),
                ]),
              ),
            }),
      },
    ]),
  );
}

/** One algorithm's figures of one round, on a fresh service process and data directory. */
async function algorithmFigures(runner, dir, tag, { algorithm, secret, password, problems }) {
  const { child, url } = await runner.startService(dir, tag, {
    dataDir: join(dir, `${tag}-data`),
    secret,
    password,
    env: { JWT_ALGORITHM: algorithm },
  });
  const { warmup, duration } = runner.options;
  const label = `(7) ${algorithm}`;
  const figures = {};
  try {
    const token = await login(url, 'bench', password);
    const signedWith = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')).alg;
    if (signedWith !== algorithm) {
      throw new Error(`JWT_ALGORITHM=${algorithm}: the service signed its token with ${signedWith}`);
    }
    figures.tokenLength = token.length;
    say(`  ${algorithm}: pid ${child.pid} on ${url}; its token is ${token.length} characters`);

    // The remembered-token path: one token, verified once, then looked up (as the service row).
    const getUser = await runner.measure(child, {
      url: `${url}/user`,
      headers: { authorization: `Bearer ${token}` },
      connections: USER_CONNECTIONS,
    });
    problems.push(...loadProblems(`${label} GET /user`, getUser, [200]));
    figures.getUser = summarize(getUser);
    say(
      `      GET /user, one token, ${USER_CONNECTIONS} connections (${warmup} s warm-up + ${duration} s): ${describe(getUser)}; ` +
        `${num(figures.getUser.cpuPerRequestUs)} µs CPU/request`,
    );

    figures.newTokens = await measureNewTokens(runner, child, url, { token, password, label, problems });

    const loginRun = await runner.measure(child, {
      url: `${url}/login`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', password }),
      connections: LOGIN_CONNECTIONS,
    });
    problems.push(...loadProblems(`${label} POST /login`, loginRun, [200]));
    figures.login = summarize(loginRun);
    say(
      `      POST /login, ${LOGIN_CONNECTIONS} connections (${warmup} s warm-up + ${duration} s): ${describe(loginRun, 'logins/s')}`,
    );
  } catch (error) {
    error.tail ??= await child.tail();
    throw error;
  } finally {
    await runner.stopChecked(child, problems, `${label} service`);
  }
  return figures;
}
