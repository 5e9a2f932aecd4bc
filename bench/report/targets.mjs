// The targets of issues 5, 12, 13 and 15, each with the measured value and whether it is met
// (null: not measured). Issue 24's are in issue-24-targets.mjs.
import { mb, megabytes, ms, num, percent, ratio, share, times } from '../lib/format.mjs';
import { hotPathSummary } from './hot-path-summary.mjs';

/** The targets, each with the measured value and whether it is met (null: not measured). */
export function evaluateTargets(r) {
  if (!r.service) {
    // --hot-path-only
    return hotPathTargets(r.hotPath);
  }
  const service = r.service;
  const ceiling = r.peers.ceiling?.getUser;
  const fastapi = r.peers.fastapi?.getUser;
  const userRps = service?.getUser?.perSecond ?? null;
  const check = (value, ok) => (value === null ? null : ok(value));
  const targets = [];
  const add = (target, measured, met) => targets.push({ target, measured, met });

  const ofCeiling = ratio(userRps, ceiling?.perSecond ?? null);
  const nestFloor = ratio(r.peers.nestFloor?.getUser?.perSecond ?? null, ceiling?.perSecond ?? null);
  add(
    'GET /user >= 60% of the node:http ceiling (req/s)',
    ofCeiling === null
      ? 'ceiling not measured'
      : `${share(ofCeiling)} (${num(userRps)} vs ${num(ceiling.perSecond)})` +
          (nestFloor === null ? '' : `; NestJS on Fastify with nothing else: ${share(nestFloor)}`),
    check(ofCeiling, (v) => v >= 0.6),
  );
  const ofFastapi = ratio(userRps, fastapi?.perSecond ?? null);
  add(
    'GET /user >= 5x the FastAPI tutorial app (req/s)',
    ofFastapi === null
      ? 'FastAPI not measured'
      : `${times(ofFastapi)} (${num(userRps)} vs ${num(fastapi.perSecond)})`,
    check(ofFastapi, (v) => v >= 5),
  );
  const p99 = service?.getUser?.latency.p99Ms ?? null;
  add(
    'GET /user p99 < 10 ms at 32 connections',
    ms(p99),
    check(p99, (v) => v < 10),
  );

  const ofArgon = ratio(service?.login?.perSecond ?? null, r.argon2?.perSecond ?? null);
  add(
    'login >= 90% of the bare argon2 verify rate (the faster of its two runs)',
    ofArgon === null
      ? 'n/a'
      : `${share(ofArgon)} (${num(service.login.perSecond, 1)}/s vs ${num(r.argon2.perSecond, 1)}/s)`,
    check(ofArgon, (v) => v >= 0.9),
  );
  const isolation = ratio(service?.isolation?.user.latency.p99Ms ?? null, p99);
  add(
    'GET /user p99 during the login flood <= 2x its p99 alone',
    isolation === null
      ? 'n/a'
      : `${times(isolation)} (${ms(service.isolation.user.latency.p99Ms)} vs ${ms(p99)})`,
    check(isolation, (v) => v <= 2),
  );
  const cold = service?.coldStart?.medianMs ?? null;
  add(
    'cold start to the first 200 < 1 s (median)',
    ms(cold),
    check(cold, (v) => v < 1000),
  );
  const idle = service?.idleRssKb ?? null;
  add(
    'idle resident memory < 100 MB',
    megabytes(idle),
    check(idle, (v) => mb(v) < 100),
  );
  const scaleOut = r.scaleOut;
  const single = scaleOut?.single?.getUser;
  const interleaved = scaleOut?.interleaved;
  // Judged on the interleaved rounds (5b) when there are any: the single rows are minutes apart.
  const ofEmbedded = interleaved?.rateRatio ?? ratio(single?.perSecond ?? null, userRps);
  add(
    `GET /user on ${scaleOut?.label ?? 'PostgreSQL + Redis'} >= 90% of the embedded default (req/s, issue 12)`,
    scaleOut?.skipped
      ? `skipped: ${scaleOut.skipped}`
      : ofEmbedded === null
        ? 'n/a'
        : interleaved
          ? `${share(ofEmbedded)} (median of ${interleaved.rounds.length} interleaved round(s); ${share(interleaved.cpuRatio)} by CPU per request; one-off rows ${share(ratio(single?.perSecond ?? null, userRps))})`
          : `${share(ofEmbedded)} (${num(single.perSecond)} vs ${num(userRps)})`,
    check(ofEmbedded, (v) => v >= 0.9),
  );
  const es = r.algorithms?.median?.ES256?.ratios;
  const rs = r.algorithms?.median?.RS256?.ratios;
  add(
    'GET /user with ES256 >= 95% of HS256 (req/s, issue 13)',
    es === undefined
      ? 'n/a'
      : `${share(es.getUserRate)} (median of ${r.algorithms.rounds.length} interleaved round(s); ${share(es.getUserCpu)} by CPU per request; RS256 ${share(rs.getUserRate)})`,
    check(es?.getUserRate ?? null, (v) => v >= 0.95),
  );
  targets.push(...hotPathTargets(r.hotPath));
  return targets;
}

const IDLE_RSS_TARGET_MB = 120;

/** Issue 15's hot-path targets. */
export function hotPathTargets(hp) {
  const summary = hotPathSummary(hp);
  if (summary === null) {
    return [];
  }
  const { ratios, figures } = summary;
  const rounds = hp.rounds.length;
  const read = (name) => {
    const r = ratios[name];
    return r.median === null
      ? 'not measured'
      : `${share(r.median)} (median of ${rounds} round(s): ${r.rounds.map(share).join(', ')})`;
  };
  const check = (value, ok) => (value === null ? null : ok(value));
  const ceilingCpu = figures.ceiling?.generatorCpuPercent;
  const idle = figures.production?.idleRssKb ?? null;
  return [
    {
      target:
        'GET /user, every protection, request log and metrics on, >= 50% of the node:http ceiling (wrk, issue 15)',
      measured:
        read('ofCeiling') +
        (ceilingCpu === undefined ? '' : `; wrk used ${percent(ceilingCpu)} of its CPU at the ceiling`) +
        (ratios.nestFloorOfCeiling.median === null
          ? ''
          : `; the floors: NestJS on Fastify with one guard ${share(ratios.nestFloorOfCeiling.median)}, ` +
            `Fastify alone ${share(ratios.fastifyFloorOfCeiling.median)}`),
      met: check(ratios.ofCeiling.median, (v) => v >= 0.5),
    },
    {
      target: 'GET /user with the request log >= 90% of the same build with it off (issue 15)',
      measured: read('logOnOff'),
      met: check(ratios.logOnOff.median, (v) => v >= 0.9),
    },
    {
      target: 'GET /user with metrics on >= 95% of metrics off (issue 15)',
      measured: hp.metricsKnown ? read('metricsOnOff') : 'metrics not in this build',
      met: check(ratios.metricsOnOff.median, (v) => v >= 0.95),
    },
    {
      target: 'GET /user with tracing on (default sampler, local receiver): the cost, reported (issue 15)',
      measured: hp.tracingKnown ? `${read('tracingOnOff')} of tracing off` : 'tracing not in this build',
      met: null,
    },
    {
      target: `idle RSS of the production build <= ${IDLE_RSS_TARGET_MB} MB (issue 15)`,
      measured: `${megabytes(idle)} (median of ${rounds} fresh start(s), metrics on, no login yet)`,
      met: check(idle, (kb) => (kb * 1024) / 1e6 <= IDLE_RSS_TARGET_MB),
    },
  ];
}
