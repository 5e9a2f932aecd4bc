// (8)'s figures read as issue 15 reads them: ratios within each round, the median of the rounds.
import { medianOfMeasured, ratio } from '../lib/format.mjs';

/** Each ratio the targets read: `of` over `to` within a round, median of the rounds. */
const RATIOS = [
  ['ofCeiling', 'production', 'ceiling'],
  ['nestFloorOfCeiling', 'nestFloor', 'ceiling'],
  ['fastifyFloorOfCeiling', 'fastifyFloor', 'ceiling'],
  ['logOnOff', 'production', 'logOff'],
  ['metricsOnOff', 'production', 'metricsOff'],
  ['tracingOnOff', 'tracing', 'production'],
];

/** `{ ratios, figures }` of (8)'s rounds (`r.hotPath`), or null when it has none. */
export function hotPathSummary(hp) {
  if (!hp?.rounds?.length) {
    return null;
  }
  const ratios = {};
  for (const [name, of, to] of RATIOS) {
    const perRound = hp.rounds.map((round) =>
      ratio(round[of]?.perSecond ?? null, round[to]?.perSecond ?? null),
    );
    ratios[name] = { median: medianOfMeasured(perRound), rounds: perRound };
  }
  const figures = {};
  for (const { key } of hp.variants) {
    const runs = hp.rounds.map((round) => round[key]).filter(Boolean);
    figures[key] = {
      perSecond: medianOfMeasured(runs.map((run) => run.perSecond)),
      p50Ms: medianOfMeasured(runs.map((run) => run.latency.p50Ms)),
      p99Ms: medianOfMeasured(runs.map((run) => run.latency.p99Ms)),
      serverCpuPercent: medianOfMeasured(runs.map((run) => run.serverCpuPercent)),
      generatorCpuPercent: medianOfMeasured(runs.map((run) => run.generatorCpuPercent)),
      otherCpuPercent: medianOfMeasured(runs.map((run) => run.otherCpuPercent)),
      stealCpuPercent: medianOfMeasured(runs.map((run) => run.stealCpuPercent ?? null)),
      idleRssKb: medianOfMeasured(runs.map((run) => run.idleRssKb)),
      peakRssKb: medianOfMeasured(runs.map((run) => run.peakRssKb)),
    };
  }
  return { ratios, figures };
}
