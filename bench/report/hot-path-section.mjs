// (8) in the report: a row per variant, medians of the rounds.
import { megabytes, ms, num, percent, ratio, share, table } from '../lib/format.mjs';
import { hotPathSummary } from './hot-path-summary.mjs';

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
