// The command line: its options (`node bench/bench.mjs --help`) and how the report quotes it.
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

export function parseOptions() {
  const { values, tokens } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'cold-starts': { type: 'string' },
      settle: { type: 'string' },
      'skip-peers': { type: 'boolean', default: false },
      'hot-path-only': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    tokens: true,
  });
  if (values.help) {
    console.log(
      'Usage: node bench/bench.mjs [--quick] [--duration S (10; 2 with --quick)] [--warmup S (3; 1 with --quick)]\n' +
        '                            [--cold-starts N (5; 1 with --quick)] [--settle S (60; 0 with --quick)] [--skip-peers]\n' +
        '                            [--hot-path-only]\n' +
        '--hot-path-only: only (8), the observability parts on and off and the ceiling, with wrk.\n' +
        '--settle: before each figure, wait up to S seconds for other processes to use under 10% of a CPU.',
    );
    process.exit(0);
  }
  const number = (name, fallback, min) => {
    const raw = values[name];
    if (raw === undefined) {
      return fallback;
    }
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      console.error(`--${name} must be a whole number, at least ${min} (got "${raw}")`);
      process.exit(2);
    }
    return value;
  };
  const quick = values.quick;
  return {
    quick,
    duration: number('duration', quick ? 2 : 10, 1),
    warmup: number('warmup', quick ? 1 : 3, 0),
    coldStarts: number('cold-starts', quick ? 1 : 5, 1),
    settle: number('settle', quick ? 0 : 60, 0),
    skipPeers: values['skip-peers'],
    hotPathOnly: values['hot-path-only'],
    args: tokens
      .filter((token) => token.kind === 'option')
      .map((token) => token.rawName + (token.value === undefined ? '' : ` ${token.value}`)),
  };
}

/** The command line as typed, for the report; `entry` is the script's own file (bench.mjs). */
export function commandLine(args, entry) {
  if (process.env.npm_lifecycle_event === 'bench') {
    return `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  }
  return ['node', relative(process.cwd(), entry) || 'bench/bench.mjs', ...args].join(' ');
}
