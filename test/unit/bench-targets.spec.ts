import { describe, expect, it } from '@jest/globals';
import { issue24Section, issue24Targets, type Target } from '../../bench/report/issue-24-targets.mjs';

/** A wrk run of (8) as bench/lib/wrk.mjs returns it, with only what the targets read. */
const wrkRun = (perSecond: number, p99Ms: number, rssMb: { idle: number; peak: number }, non2xx = 0) => ({
  perSecond,
  requests: perSecond * 10,
  latency: { p50Ms: p99Ms / 4, p99Ms },
  non2xx,
  socketErrors: 0,
  idleRssKb: (rssMb.idle * 1e6) / 1024,
  peakRssKb: (rssMb.peak * 1e6) / 1024,
});

const hotPath = (
  rounds: Array<[production: number, floor: number, productionP99: number, floorP99: number]>,
) => ({
  variants: [
    { key: 'production', label: 'production' },
    { key: 'nestFloor', label: 'floor: NestJS on Fastify, one guard' },
  ],
  rounds: rounds.map(([production, floor, productionP99, floorP99]) => ({
    production: wrkRun(production, productionP99, { idle: 110, peak: 200 }),
    nestFloor: wrkRun(floor, floorP99, { idle: 90, peak: 110 }),
  })),
});

/** A full run's results, trimmed to what issue 24's targets read. */
const fullRun = () => ({
  service: {
    idleRssKb: (150 * 1e6) / 1024,
    peakRssKb: (240 * 1e6) / 1024,
    getUser: { perSecond: 10_000, latency: { p99Ms: 5 } },
    login: { perSecond: 95 },
    coldStart: { medianMs: 600 },
  },
  argon2: { perSecond: 100 },
  peers: {
    nestFloor: { getUser: { perSecond: 20_000 } },
    fastapi: { getUser: { perSecond: 2_500 } },
  },
  algorithms: { rounds: [{}], median: { ES256: { newTokensPerSecond: 8_000 } } },
  // Round by round, the service at 60%, 75% and 80% of the floor; p99 3x, 1.5x and 1.8x the floor's.
  hotPath: hotPath([
    [6_000, 10_000, 30, 10],
    [7_500, 10_000, 15, 10],
    [8_000, 10_000, 18, 10],
  ]),
});

const byTarget = (targets: Target[], start: string) => {
  const found = targets.find((t) => t.target.startsWith(start));
  if (found === undefined) {
    throw new Error(`no target starting "${start}" in ${targets.map((t) => t.target).join('; ')}`);
  }
  return found;
};

describe('issue24Targets', () => {
  it('should read GET /user against the NestJS floor of the same (8) round, the median of the rounds', () => {
    const targets = issue24Targets(fullRun());

    expect(byTarget(targets, 'GET /user, remembered token')).toEqual({
      target: expect.stringContaining('>= 0.7 of the NestJS-on-Fastify floor'),
      measured: expect.stringMatching(/^75% \(median of 3 round\(s\): 60%, 75%, 80%; /),
      met: true,
    });
    expect(byTarget(targets, 'GET /user p99')).toMatchObject({
      measured: expect.stringMatching(/^1\.80x /),
      met: true,
    });
    expect(byTarget(targets, 'GET /user: no non-2xx')).toMatchObject({ met: true });
  });

  it('should judge each of the other figures against its bound', () => {
    const targets = issue24Targets(fullRun());

    expect(byTarget(targets, 'GET /user >= 5x')).toMatchObject({
      measured: '4.00x (10,000 vs 2,500)',
      met: false,
    });
    expect(byTarget(targets, 'peak RSS')).toMatchObject({
      measured: expect.stringMatching(/^240\.0 MB at most/),
      met: true,
    });
    expect(byTarget(targets, 'idle RSS')).toMatchObject({
      measured: expect.stringMatching(/^110\.0 MB /),
      met: true,
    });
    expect(byTarget(targets, 'login')).toMatchObject({ measured: '95% (95.0/s vs 100.0/s)', met: true });
    expect(byTarget(targets, 'cold start')).toMatchObject({ measured: '600.0 ms', met: true });
    expect(byTarget(targets, 'GET /user with a never-seen ES256 token')).toMatchObject({
      measured: expect.stringMatching(/^40% /),
      met: false,
    });
  });

  it('should miss on a single non-2xx response and on any process over 256 MB', () => {
    const r = fullRun();
    r.hotPath.rounds[1].production = wrkRun(7_500, 15, { idle: 110, peak: 300 }, 3);

    const targets = issue24Targets(r);

    expect(byTarget(targets, 'GET /user: no non-2xx')).toMatchObject({
      measured: expect.stringMatching(/^3 non-2xx/),
      met: false,
    });
    expect(byTarget(targets, 'peak RSS')).toMatchObject({
      measured: expect.stringMatching(/^300\.0 MB at most/),
      met: false,
    });
  });

  it('should say "not measured" for what a --hot-path-only run leaves out', () => {
    const { hotPath: hp } = fullRun();

    const targets = issue24Targets({ hotPath: hp, peers: { ceiling: null, fastapi: null } });

    expect(targets).toHaveLength(9);
    for (const start of [
      'GET /user >= 5x',
      'login',
      'cold start',
      'GET /user with a never-seen ES256 token',
    ]) {
      expect(byTarget(targets, start)).toMatchObject({
        measured: 'not measured (--hot-path-only)',
        met: null,
      });
    }
    expect(byTarget(targets, 'GET /user, remembered token')).toMatchObject({ met: true });
  });

  it('should say why when (8) did not run', () => {
    const targets = issue24Targets({ ...fullRun(), hotPath: { skipped: 'wrk not found', problems: [] } });

    expect(byTarget(targets, 'GET /user, remembered token')).toMatchObject({
      measured: 'not measured (wrk not found)',
      met: null,
    });
    expect(byTarget(targets, 'idle RSS')).toMatchObject({
      measured: expect.stringMatching(/^150\.0 MB \(service row/),
      met: false,
    });
  });
});

describe('issue24Section', () => {
  it('should give each target a row with its verdict, "not measured" where it was not', () => {
    const lines = issue24Section([
      { target: 'a', measured: '75%', met: true },
      { target: 'b', measured: '7.55x', met: false },
      { target: 'c', measured: 'not measured (--hot-path-only)', met: null },
    ]);

    expect(lines.slice(0, 3)).toEqual(['', expect.stringMatching(/^Targets of issue 24 /), '']);
    expect(lines[3].split('\n').slice(2)).toEqual([
      '| a | 75% | met |',
      '| b | 7.55x | MISSED |',
      '| c | not measured (--hot-path-only) | not measured |',
    ]);
  });

  it('should be left out of a report without targets (a run before issue 24)', () => {
    expect(issue24Section()).toEqual([]);
  });
});
