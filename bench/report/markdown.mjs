// The Markdown report of a run, built from its results (`r`, as bench.mjs writes them to JSON):
// the header, one section per figure, the targets and the notes.
import { num, table } from '../lib/format.mjs';
import { algorithmsSection } from './algorithms-section.mjs';
import { hotPathSection } from './hot-path-section.mjs';
import { issue24Section } from './issue-24-targets.mjs';
import { scaleOutSection } from './scale-out-section.mjs';
import { floorsSection, getUserSection, serviceAloneSection } from './service-section.mjs';

const verdict = (met) => (met === null ? 'n/a' : met ? 'met' : 'MISSED');

/** The Markdown report: machine, command, settings, the tables and the targets. */
export function markdown(r) {
  if (!r.service) {
    return hotPathOnlyMarkdown(r);
  }
  const lines = [];
  lines.push(`### Benchmark of ${r.startedAt}${r.quick ? ' (--quick: a smoke run, not a measurement)' : ''}`);
  lines.push('');
  lines.push(`- Command: \`${r.command}\``);
  lines.push(
    `- Machine: ${r.machine.cpuModel}, ${r.machine.cpus} CPUs, ${num(r.machine.memoryGb, 1)} GB RAM, Linux ${r.machine.kernel}; Node ${r.machine.node}; autocannon ${r.machine.autocannon}` +
      (r.machine.python ? `; ${r.machine.python}` : ''),
  );
  lines.push(`- Code: ${r.machine.commit}`);
  lines.push(`- Pinning: ${r.settings.pinning}`);
  lines.push(
    `- Each figure: ${r.settings.duration} s after a ${r.settings.warmup} s warm-up; GET /user at ${r.settings.connections.user} connections, ` +
      `POST /login at ${r.settings.connections.login}, login flood at ${r.settings.connections.flood}; cold start: median of ${r.settings.coldStarts}` +
      (r.settings.settle > 0
        ? `; before each figure, up to ${r.settings.settle} s of waiting for other processes to use under 10% of a CPU`
        : ''),
  );
  lines.push(`- Service: ${r.settings.serviceSettings}`);
  lines.push(...getUserSection(r));
  lines.push(...scaleOutSection(r));
  lines.push(...algorithmsSection(r));
  lines.push(...floorsSection(r));
  lines.push(...serviceAloneSection(r));
  lines.push(...hotPathSection(r.hotPath));
  lines.push(...targetsAndNotes(r, 'Targets of issues 5, 12, 13 and 15'));
  return lines.join('\n');
}

/** `npm run bench -- --hot-path-only`: the header, (8), its targets. */
function hotPathOnlyMarkdown(r) {
  const lines = [];
  lines.push(
    `### Benchmark of ${r.startedAt}, hot path only${r.quick ? ' (--quick: a smoke run, not a measurement)' : ''}`,
  );
  lines.push('');
  lines.push(`- Command: \`${r.command}\``);
  lines.push(
    `- Machine: ${r.machine.cpuModel}, ${r.machine.cpus} CPUs, ${num(r.machine.memoryGb, 1)} GB RAM, Linux ${r.machine.kernel}; Node ${r.machine.node}`,
  );
  lines.push(`- Code: ${r.machine.commit}`);
  lines.push(`- Pinning: ${r.settings.pinning}`);
  lines.push(`- Each figure: ${r.settings.duration} s after a ${r.settings.warmup} s warm-up`);
  lines.push(`- Service: ${r.settings.serviceSettings}`);
  lines.push(...hotPathSection(r.hotPath));
  lines.push(...targetsAndNotes(r, 'Targets of issue 15'));
  return lines.join('\n');
}

function targetsAndNotes(r, title) {
  const lines = [...issue24Section(r.issue24Targets), ''];
  lines.push(`${title} (informational; the bench never fails on a speed figure):`);
  lines.push('');
  lines.push(
    table(
      ['target', 'measured', ''],
      r.targets.map((t) => [t.target, t.measured, verdict(t.met)]),
      { numeric: false },
    ),
  );
  if (r.notes.length > 0) {
    lines.push('');
    for (const note of r.notes) {
      lines.push(`- ${note}`);
    }
  }
  if (r.problems.length > 0) {
    lines.push('');
    lines.push('**Problems (figures that do not count):**');
    for (const problem of r.problems) {
      lines.push(`- ${problem}`);
    }
  }
  return lines;
}
