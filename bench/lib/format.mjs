// How the bench writes its figures, in the progress lines and in the report alike: numbers,
// milliseconds, megabytes, shares and ratios, a Markdown table, the median of a few rounds.

export const mb = (kb) => (kb === null || kb === undefined ? null : (kb * 1024) / 1e6);

export function num(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return 'n/a';
  }
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const ms = (value) =>
  value === null || value === undefined ? 'n/a' : `${num(value, value < 10 ? 2 : 1)} ms`;
export const megabytes = (kb) => (kb === null || kb === undefined ? 'n/a' : `${num(mb(kb), 1)} MB`);
export const percent = (value) => (value === null || value === undefined ? 'n/a' : `${num(value, 0)}%`);
/** A ratio as a percentage, 'n/a' when it could not be computed. */
export const share = (value) => (value === null || value === undefined ? 'n/a' : percent(value * 100));
export const ratio = (a, b) =>
  a === null || b === null || a === undefined || b === undefined || b === 0 ? null : a / b;
export const times = (value) => (value === null ? 'n/a' : `${num(value, 2)}x`);

/** A Markdown table; numeric tables align their value columns right, text tables stay left. */
export function table(header, rows, { numeric = true } = {}) {
  const align = header.map((_, i) => (i === 0 || !numeric ? '---' : '---:'));
  return [header, align, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The median of `values`, every one a number (the rounds of a figure, the starts of a service). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The median of the values that were measured (null and undefined left out); null if none was. */
export function medianOfMeasured(values) {
  const measured = values.filter((v) => v !== null && v !== undefined);
  return measured.length === 0 ? null : median(measured);
}

/** One line of progress on the terminal. */
export const say = (line) => console.log(line);

/** A load run in one line: rate, latency, and the CPU of the server, the generator and the rest. */
export function describe(run, unit = 'req/s') {
  const { latency } = run;
  const cpu =
    run.serverCpuPercent === undefined
      ? ''
      : `, CPU: server ${num(run.serverCpuPercent)}%, load generator ${num(run.clientCpuPercent)}%, other processes ${num(run.otherCpuPercent)}%`;
  return `${num(run.perSecond, unit === 'req/s' ? 0 : 1)} ${unit}, p50 ${ms(latency.p50Ms)}, p99 ${ms(latency.p99Ms)}${cpu}`;
}
