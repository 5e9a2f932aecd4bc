// The one report of a run, built from its results: the targets and notes added to them, then
// bench/results/<date>.json, .md and .svg (and latest.svg for a full run).
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RESULTS } from '../lib/settings.mjs';
import { chartRows, chartSvg } from './chart.mjs';
import { hotPathSummary } from './hot-path-summary.mjs';
import { issue24Targets } from './issue-24-targets.mjs';
import { markdown } from './markdown.mjs';
import { notesFor } from './notes.mjs';
import { evaluateTargets } from './targets.mjs';

/** The project's Prettier style (CI runs `prettier --check .`), when Prettier is installed. */
async function formatted(file, text) {
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(text, { ...config, filepath: file });
  } catch {
    return text;
  }
}

/** Adds the targets and the notes to `r`; returns the Markdown report. */
export function buildReport(r) {
  r.targets = evaluateTargets(r);
  r.issue24Targets = issue24Targets(r);
  r.notes = notesFor(r);
  return markdown(r);
}

/** Writes the run's files; returns the path they share, without its extension. */
export async function writeResults(r, report, { quick, hotPathOnly }) {
  await mkdir(RESULTS, { recursive: true });
  const base = join(
    RESULTS,
    `${r.startedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-')}${quick ? '-quick' : ''}`,
  );
  await writeFile(`${base}.json`, await formatted(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`));
  await writeFile(`${base}.md`, await formatted(`${base}.md`, `${report}\n`));
  // The chart of the run; a full run's is also latest.svg, the one docs/performance.md shows.
  const svg = chartSvg(
    chartRows(r, hotPathSummary(r.hotPath)),
    `npm run bench, ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${r.machine.commit}`,
  );
  await writeFile(`${base}.svg`, svg);
  if (!quick && !hotPathOnly) {
    await writeFile(join(RESULTS, 'latest.svg'), svg);
  }
  return base;
}
