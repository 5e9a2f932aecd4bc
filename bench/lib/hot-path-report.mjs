// (8)'s figures read as issue 15 reads them: ratios within each round, the median of the rounds.
import { megabytes, ms, num, percent, ratio, share, table } from './report.mjs';

const median = (values) => {
  const sorted = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) {
    return null;
  }
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Each ratio the targets read: `of` over `to` within a round, median of the rounds. */
const RATIOS = [
  ['ofCeiling', 'production', 'ceiling'],
  ['nestFloorOfCeiling', 'nestFloor', 'ceiling'],
  ['fastifyFloorOfCeiling', 'fastifyFloor', 'ceiling'],
  ['logOnOff', 'production', 'logOff'],
  ['metricsOnOff', 'production', 'metricsOff'],
  ['tracingOnOff', 'tracing', 'production'],
];

export function hotPathSummary(hp) {
  if (!hp?.rounds?.length) {
    return null;
  }
  const ratios = {};
  for (const [name, of, to] of RATIOS) {
    const perRound = hp.rounds.map((round) =>
      ratio(round[of]?.perSecond ?? null, round[to]?.perSecond ?? null),
    );
    ratios[name] = { median: median(perRound), rounds: perRound };
  }
  const figures = {};
  for (const { key } of hp.variants) {
    const runs = hp.rounds.map((round) => round[key]).filter(Boolean);
    figures[key] = {
      perSecond: median(runs.map((run) => run.perSecond)),
      p50Ms: median(runs.map((run) => run.latency.p50Ms)),
      p99Ms: median(runs.map((run) => run.latency.p99Ms)),
      serverCpuPercent: median(runs.map((run) => run.serverCpuPercent)),
      generatorCpuPercent: median(runs.map((run) => run.generatorCpuPercent)),
      otherCpuPercent: median(runs.map((run) => run.otherCpuPercent)),
      stealCpuPercent: median(runs.map((run) => run.stealCpuPercent ?? null)),
      idleRssKb: median(runs.map((run) => run.idleRssKb)),
      peakRssKb: median(runs.map((run) => run.peakRssKb)),
    };
  }
  return { ratios, figures };
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

/** The Markdown of (8). */
export function hotPathSection(hp) {
  if (hp?.skipped) {
    return ['', `(8) Hot path: skipped, ${hp.skipped}.`];
  }
  const summary = hotPathSummary(hp);
  if (summary === null) {
    return [];
  }
  const lines = [''];
  lines.push(
    `(8) Hot path (issue 15): GET /user driven by ${hp.generator}; a fresh process per variant, ` +
      `${hp.rounds.length} round(s) alternating the order; medians of the rounds:`,
  );
  lines.push('');
  const production = summary.figures.production;
  lines.push(
    table(
      [
        'variant',
        'requests/s',
        'of production',
        'p50',
        'p99',
        'server CPU',
        'wrk CPU',
        'other CPU',
        'steal',
        'RSS idle',
        'RSS peak',
      ],
      hp.variants.map(({ key, label }) => {
        const f = summary.figures[key];
        return [
          label,
          num(f.perSecond),
          share(ratio(f.perSecond, production?.perSecond ?? null)),
          ms(f.p50Ms),
          ms(f.p99Ms),
          percent(f.serverCpuPercent),
          percent(f.generatorCpuPercent),
          percent(f.otherCpuPercent),
          percent(f.stealCpuPercent),
          megabytes(f.idleRssKb),
          megabytes(f.peakRssKb),
        ];
      }),
    ),
  );
  if (hp.traceSink) {
    lines.push('');
    lines.push(
      `The trace sink received ${num(hp.traceSink.requests)} exports (${num(hp.traceSink.bytes / 1e6, 1)} MB) in all.`,
    );
  }
  return lines;
}
