// Issue 24's targets, each with the measured value and whether it is met; `met` is null when the
// run did not measure it (--hot-path-only, --skip-peers, no wrk, no FastAPI), and the report then
// says "not measured". start:prod as shipped, every protection, the request log and metrics on:
// (8)'s "production" variant, read against (8)'s NestJS floor in the same rounds.
import {
  mb,
  medianOfMeasured as median,
  megabytes,
  ms,
  num,
  ratio,
  share,
  table,
  times,
} from '../lib/format.mjs';
import { CONTAINER_BUDGET_MB } from '../lib/settings.mjs';
import { hotPathSummary } from './hot-path-summary.mjs';

export const ISSUE_24 = {
  ofNestFloor: 0.7,
  p99OfNestFloor: 2,
  ofFastapi: 5,
  peakRssMb: CONTAINER_BUDGET_MB,
  idleRssMb: 120,
  loginOfArgon2: 0.9,
  coldStartMs: 1000,
  newEs256OfNestFloor: 0.5,
};

const check = (value, ok) => (value === null || value === undefined ? null : ok(value));
const notMeasured = (why) => `not measured${why ? ` (${why})` : ''}`;
/** Why a peer or a figure has no value: its own `skipped`, or the run's mode. */
const why = (figure, fallback) => figure?.skipped ?? fallback;

/** The per-round values of `pick(round)` for the (8) rounds that have both variants. */
function perRound(hp, pick) {
  return (hp?.rounds ?? []).map((round) =>
    round.production && round.nestFloor ? pick(round.production, round.nestFloor) : null,
  );
}

/** `[{ target, measured, met }]` for the results `r` of a run (bench.mjs). */
export function issue24Targets(r) {
  const hp = r.hotPath;
  const summary = hotPathSummary(hp);
  const hotPathWhy = hp?.skipped ?? (summary === null ? 'no (8) run' : null);
  const noFloor =
    summary !== null && !summary.figures.nestFloor ? 'no floor in (8): --skip-peers or no peers' : null;
  const targets = [];
  const add = (target, measured, met) => targets.push({ target, measured, met });

  // GET /user against the NestJS floor, rate and p99, in (8): ratios within each round, median.
  const rates = perRound(hp, (p, f) => ratio(p.perSecond, f.perSecond));
  const rate = median(rates);
  const prod = summary?.figures.production;
  const floor = summary?.figures.nestFloor;
  add(
    `GET /user, remembered token, >= ${ISSUE_24.ofNestFloor} of the NestJS-on-Fastify floor (req/s, wrk, (8))`,
    rate === null
      ? notMeasured(hotPathWhy ?? noFloor)
      : `${share(rate)} (median of ${rates.length} round(s): ${rates.map(share).join(', ')}; ${num(prod.perSecond)} vs ${num(floor.perSecond)} req/s)`,
    check(rate, (v) => v >= ISSUE_24.ofNestFloor),
  );
  const p99s = perRound(hp, (p, f) => ratio(p.latency.p99Ms, f.latency.p99Ms));
  const p99 = median(p99s);
  add(
    `GET /user p99 <= ${ISSUE_24.p99OfNestFloor}x the floor's p99 (wrk, (8))`,
    p99 === null
      ? notMeasured(hotPathWhy ?? noFloor)
      : `${times(p99)} (median of ${p99s.length} round(s): ${p99s.map(times).join(', ')}; ${ms(prod.p99Ms)} vs ${ms(floor.p99Ms)})`,
    check(p99, (v) => v <= ISSUE_24.p99OfNestFloor),
  );
  const runs = (hp?.rounds ?? []).map((round) => round.production).filter(Boolean);
  const non2xx = runs.reduce((sum, run) => sum + run.non2xx, 0);
  const socketErrors = runs.reduce((sum, run) => sum + run.socketErrors, 0);
  add(
    'GET /user: no non-2xx response (nor socket error) under that load ((8), production)',
    runs.length === 0
      ? notMeasured(hotPathWhy)
      : `${num(non2xx)} non-2xx, ${num(socketErrors)} socket errors in ${num(runs.reduce((sum, run) => sum + run.requests, 0))} requests`,
    runs.length === 0 ? null : non2xx === 0 && socketErrors === 0,
  );

  // The FastAPI app is measured by autocannon only: read against the service row's (1).
  const service = r.service;
  const fastapi = r.peers?.fastapi?.getUser;
  const ofFastapi = ratio(service?.getUser?.perSecond ?? null, fastapi?.perSecond ?? null);
  add(
    `GET /user >= ${ISSUE_24.ofFastapi}x the tutorial's FastAPI app (req/s, autocannon, same run)`,
    ofFastapi === null
      ? notMeasured(service ? why(r.peers?.fastapi, 'FastAPI not run') : '--hot-path-only')
      : `${times(ofFastapi)} (${num(service.getUser.perSecond)} vs ${num(fastapi.perSecond)})`,
    check(ofFastapi, (v) => v >= ISSUE_24.ofFastapi),
  );

  // Memory: the service row's VmHWM spans its whole run (GET /user, logins, the flood); each (8)
  // production process's spans GET /user under wrk. The highest of them is what a container sees.
  const peaks = [
    ...(service?.peakRssKb ? [['service row, whole run', service.peakRssKb]] : []),
    ...runs.map((run, i) => [`(8) production round ${i + 1}`, run.peakRssKb]),
  ].filter(([, kb]) => kb);
  const highest = peaks.length === 0 ? null : Math.max(...peaks.map(([, kb]) => kb));
  add(
    `peak RSS (VmHWM) <= ${ISSUE_24.peakRssMb} MB under load (the soak's is \`npm run soak\`'s own)`,
    highest === null
      ? notMeasured()
      : `${megabytes(highest)} at most (${peaks.map(([name, kb]) => `${name} ${megabytes(kb)}`).join(', ')})`,
    check(highest, (kb) => mb(kb) <= ISSUE_24.peakRssMb),
  );
  const idle = prod?.idleRssKb ?? service?.idleRssKb ?? null;
  add(
    `idle RSS <= ${ISSUE_24.idleRssMb} MB`,
    idle === null
      ? notMeasured()
      : prod?.idleRssKb
        ? `${megabytes(idle)} (median of ${runs.length} fresh start(s) of (8) production, metrics on, no login yet` +
          (service?.idleRssKb ? `; service row, metrics off: ${megabytes(service.idleRssKb)})` : ')')
        : `${megabytes(idle)} (service row, metrics off; (8) not measured)`,
    check(idle, (kb) => mb(kb) <= ISSUE_24.idleRssMb),
  );

  const ofArgon = ratio(service?.login?.perSecond ?? null, r.argon2?.perSecond ?? null);
  add(
    `login >= ${ISSUE_24.loginOfArgon2} of the bare argon2 verify rate (the faster of its two runs)`,
    ofArgon === null
      ? notMeasured(service ? null : '--hot-path-only')
      : `${share(ofArgon)} (${num(service.login.perSecond, 1)}/s vs ${num(r.argon2.perSecond, 1)}/s)`,
    check(ofArgon, (v) => v >= ISSUE_24.loginOfArgon2),
  );
  const cold = service?.coldStart?.medianMs ?? null;
  add(
    'cold start to the first 200 < 1 s (median)',
    cold === null ? notMeasured(service ? null : '--hot-path-only') : ms(cold),
    check(cold, (v) => v < ISSUE_24.coldStartMs),
  );

  // A never-seen ES256 token each request ((7), autocannon, counted) against the NestJS floor's
  // GET /user under autocannon in the same run: the same generator on both sides.
  const es256 = r.algorithms?.median?.ES256?.newTokensPerSecond ?? null;
  const nestFloor = r.peers?.nestFloor?.getUser;
  const ofFloor = ratio(es256, nestFloor?.perSecond ?? null);
  add(
    `GET /user with a never-seen ES256 token >= ${ISSUE_24.newEs256OfNestFloor} of the NestJS floor (req/s, autocannon, (7))`,
    ofFloor === null
      ? notMeasured(service ? why(r.peers?.nestFloor, '(7) not run') : '--hot-path-only')
      : `${share(ofFloor)} (${num(es256)} vs ${num(nestFloor.perSecond)}; median of ${r.algorithms.rounds.length} round(s))`,
    check(ofFloor, (v) => v >= ISSUE_24.newEs256OfNestFloor),
  );
  return targets;
}

/** The report's table of issue 24's targets: met, MISSED or not measured in this run. */
export function issue24Section(targets = []) {
  if (targets.length === 0) {
    return [];
  }
  return [
    '',
    'Targets of issue 24 (start:prod as shipped; informational, the bench never fails on a speed figure):',
    '',
    table(
      ['target', 'measured', ''],
      targets.map((t) => [t.target, t.measured, t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED']),
      { numeric: false },
    ),
  ];
}
