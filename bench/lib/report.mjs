// Formatting: numbers, the Markdown tables and the list of targets.
import { hotPathSection, hotPathTargets } from './hot-path-report.mjs';

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

/** The issue's targets, each with the measured value and whether it is met (null: not measured). */
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

/** (7): ES256, RS256 and HS256 side by side, each on its own fresh service, in alternating rounds. */
function algorithmsSection(r) {
  const x = r.algorithms;
  if (!x?.rounds?.length) {
    return [];
  }
  const names = ['ES256', 'RS256', 'HS256'];
  const m = x.median;
  const bare = x.bare.algorithms;
  const rounds = x.rounds.length;
  const first = x.rounds[0].figures;
  const newCount = first.ES256.newTokens.requests;
  const lines = [''];
  lines.push(
    `(7) Signing algorithms: a fresh service for each (JWT_ALGORITHM set, otherwise as the service row), ` +
      `${rounds} round(s) alternating the order; medians of the rounds:`,
  );
  lines.push('');
  const row = (label, pick, format, ratioOf) => [
    label,
    ...names.map((name) => format(pick(name))),
    ...(ratioOf ? ['ES256', 'RS256'].map((name) => share(ratioOf(name))) : ['', '']),
  ];
  const us = (value) => `${num(value)} µs`;
  const us1 = (value) => `${num(value, 1)} µs`;
  lines.push(
    table(
      ['', 'ES256', 'RS256', 'HS256', 'ES256 / HS256', 'RS256 / HS256'],
      [
        row(
          `GET /user, one token (remembered), req/s`,
          (n) => m[n].getUserPerSecond,
          num,
          (n) => m[n].ratios.getUserRate,
        ),
        row(
          '  server CPU per request',
          (n) => m[n].getUserCpuUs,
          us,
          (n) => m[n].ratios.getUserCpu,
        ),
        row(
          `GET /user, a new token each (${num(newCount)} requests), req/s`,
          (n) => m[n].newTokensPerSecond,
          num,
          (n) => m[n].ratios.newTokenRate,
        ),
        row(
          '  server CPU per request',
          (n) => m[n].newTokensCpuUs,
          us,
          (n) => m[n].ratios.newTokenCpu,
        ),
        row(
          `GET /user, one token, the same ${num(newCount)} requests, req/s`,
          (n) => m[n].sameShapePerSecond,
          num,
        ),
        row('  server CPU per request', (n) => m[n].sameShapeCpuUs, us),
        row('a new token costs (CPU per request, new - one token)', (n) => m[n].newTokenCostUs, us),
        row(
          "  a new token beyond HS256's (CPU per request, new - HS256's new)",
          (n) => m[n].newTokenBeyondHs256Us,
          us,
        ),
        row('bare jsonwebtoken verify (in process)', (n) => bare[n].verify.cpuUsPerOperation, us1),
        row(
          `POST /login, ${r.settings.connections.login} connections, logins/s`,
          (n) => m[n].loginPerSecond,
          (v) => num(v, 1),
          (n) => m[n].ratios.login,
        ),
        row('bare jsonwebtoken sign (in process)', (n) => bare[n].sign.cpuUsPerOperation, us1),
        row(
          'access token length',
          (n) => first[n].tokenLength,
          (v) => `${num(v)} characters`,
        ),
      ],
    ),
  );
  lines.push('');
  lines.push('Per round, each algorithm against HS256 of the same round (rate, and by CPU per request):');
  lines.push('');
  const pair = (ratios, key) => `${share(ratios.ES256[key])} / ${share(ratios.RS256[key])}`;
  const mr = { ES256: m.ES256.ratios, RS256: m.RS256.ratios };
  lines.push(
    table(
      [
        'round',
        'order',
        'GET /user ES256 / RS256',
        'by CPU per request',
        'new tokens',
        'new tokens by CPU',
        'login',
        "others' CPU (max)",
      ],
      [
        ...x.rounds.map((round, i) => [
          String(i + 1),
          round.order.join(', '),
          pair(round.ratios, 'getUserRate'),
          pair(round.ratios, 'getUserCpu'),
          pair(round.ratios, 'newTokenRate'),
          pair(round.ratios, 'newTokenCpu'),
          pair(round.ratios, 'login'),
          percent(
            Math.max(
              ...Object.values(round.figures).flatMap((f) => [
                f.getUser.otherCpuPercent,
                f.newTokens.otherCpuPercent,
                f.login.otherCpuPercent,
              ]),
            ),
          ),
        ]),
        [
          'median',
          '',
          pair(mr, 'getUserRate'),
          pair(mr, 'getUserCpu'),
          pair(mr, 'newTokenRate'),
          pair(mr, 'newTokenCpu'),
          pair(mr, 'login'),
          '',
        ],
      ],
    ),
  );
  const minted = x.rounds.flatMap((round) => names.map((n) => round.figures[n].newTokens.minted.perSecond));
  lines.push('');
  lines.push(
    `- "One token" is the service row's load: the token is verified once, then remembered (JwtStrategy keeps ` +
      'up to 10,000), so its signature is not checked again. "A new token each" sends every request a token ' +
      'the process has never seen (minted beforehand by logins and chains of POST /refresh, ' +
      `${num(Math.min(...minted))}-${num(Math.max(...minted))}/s), in order, once each, after a quarter as many for warm-up: ` +
      'every one takes the signature check; fewer than 10,000, so none is evicted. "The same requests" is its control: ' +
      'as many requests, sent the same way on fresh connections, with the one remembered token. These two count requests, ' +
      "not seconds: their rate is up to the last response, their CPU per request the server's CPU seconds over the requests.",
  );
  lines.push(
    `- The bare figures: bench/jwt-rate.mjs, jsonwebtoken ${x.bare.library.replace(/^jsonwebtoken /, '')} with the strategy's options and KeyObjects, ` +
      `one process on the server's CPU, no HTTP (other processes' CPU meanwhile: ${percent(x.bare.otherCpuPercent)}).`,
  );
  return lines;
}

/** The memory a container gives one instance (issue 12): what the RSS rows are read against. */
export const CONTAINER_BUDGET_MB = 256;

/** (5) and (6): the embedded default next to PostgreSQL (+ Redis), one instance and two. */
function scaleOutSection(r) {
  const x = r.scaleOut;
  const lines = [''];
  if (!x) {
    return [];
  }
  if (x.skipped) {
    lines.push(`GET /user on PostgreSQL (+ Redis): skipped, ${x.skipped}.`);
    return lines;
  }
  const s = r.service;
  const u = s.getUser;
  const one = x.single.getUser;
  const two = x.pair.getUser;
  const each = (values, format, joiner = ' + ') => values.map(format).join(joiner);
  const pinned = x.pair.pins.every((pin) => pin !== null);
  lines.push(
    `GET /user on ${x.label} next to the embedded default (SQLite), ${r.settings.connections.user} connections per instance:`,
  );
  lines.push('');
  lines.push(
    table(
      [
        '',
        'embedded default (SQLite)',
        `${x.label}, one instance`,
        `${x.label}, two instances${pinned ? ` (CPU ${x.pair.pins.join(' + CPU ')})` : ''}`,
      ],
      [
        [
          'requests/s',
          num(u.perSecond),
          num(one.perSecond),
          `${num(two.perSecond)} (${each(two.instances, (run) => num(run.perSecond))})`,
        ],
        [
          'of the embedded default',
          '',
          share(ratio(one.perSecond, u.perSecond)),
          share(ratio(two.perSecond, u.perSecond)),
        ],
        ['of one instance on the same database', '', '', times(ratio(two.perSecond, one.perSecond))],
        ['latency p50', ms(u.latency.p50Ms), ms(one.latency.p50Ms), ms(two.latency.p50Ms)],
        ['latency p99', ms(u.latency.p99Ms), ms(one.latency.p99Ms), ms(two.latency.p99Ms)],
        [
          'server CPU (of one core)',
          percent(u.serverCpuPercent),
          percent(one.serverCpuPercent),
          each(two.instances, (run) => percent(run.serverCpuPercent)),
        ],
        [
          'load generator CPU',
          percent(u.clientCpuPercent),
          percent(one.clientCpuPercent),
          percent(two.clientCpuPercent),
        ],
        [
          "other processes' CPU (noise)",
          percent(u.otherCpuPercent),
          percent(one.otherCpuPercent),
          percent(two.otherCpuPercent),
        ],
        [
          'RSS idle',
          megabytes(s.idleRssKb),
          megabytes(x.single.idleRssKb),
          each(x.pair.idleRssKb, megabytes),
        ],
        [
          'RSS at the end of the run',
          megabytes(u.rssAfterKb),
          megabytes(one.rssAfterKb),
          each(two.instances, (run) => megabytes(run.rssAfterKb)),
        ],
        [
          'peak RSS (VmHWM)',
          megabytes(s.peakRssKb),
          megabytes(x.single.peakRssKb),
          each(x.pair.peakRssKb, megabytes),
        ],
      ],
    ),
  );
  if (x.interleaved) {
    lines.push('');
    lines.push(
      `(5b) GET /user, the embedded default and one instance on ${x.label} started one after the other, alternating which goes first:`,
    );
    lines.push('');
    lines.push(
      table(
        [
          'round',
          'embedded req/s',
          `${x.label} req/s`,
          'of the embedded rate',
          'embedded µs CPU/request',
          `${x.label} µs CPU/request`,
          'by CPU per request',
          "others' CPU",
        ],
        [
          ...x.interleaved.rounds.map((round, i) => [
            String(i + 1),
            num(round.embedded.perSecond),
            num(round.scaled.perSecond),
            share(round.rateRatio),
            num(round.embedded.cpuPerRequestUs),
            num(round.scaled.cpuPerRequestUs),
            share(round.cpuRatio),
            `${percent(round.embedded.otherCpuPercent)}, ${percent(round.scaled.otherCpuPercent)}`,
          ]),
          ['median', '', '', share(x.interleaved.rateRatio), '', '', share(x.interleaved.cpuRatio), ''],
        ],
      ),
    );
  }
  const peaks = [
    ['the embedded default', s.peakRssKb],
    [`one instance on ${x.label}`, x.single.peakRssKb],
    ...x.pair.peakRssKb.map((kb, i) => [`instance ${i + 1} of two`, kb]),
  ];
  const over = peaks.filter(([, kb]) => mb(kb) > CONTAINER_BUDGET_MB);
  lines.push('');
  lines.push(
    `- ${x.postgres} on a fresh database for the run, dropped after it; ` +
      (x.redis.used
        ? `${x.redis.version}, key prefix \`${x.redis.prefix}\` (deleted after the run).`
        : `no Redis: ${x.redis.reason}, so these rows run on PostgreSQL alone.`) +
      ' GET /user sends nothing to either by design; meanwhile the instances poll for revocations' +
      (x.redis.used ? ' and listen on their Redis channel.' : '.'),
  );
  lines.push(
    pinned
      ? `- Pinning: the embedded default and the one instance on CPU ${x.pair.pins[0]}, the load generator on CPU ${x.pair.pins[1]}. ` +
          `The two instances run on CPU ${x.pair.pins.join(' and CPU ')}, each driven by its own autocannon instance; both autocannon instances run in the bench process ` +
          '(one thread), which may run on either CPU during that figure: the generator competes with both instances for the two cores, so the sum is what two cores hold ' +
          'with the load generator on them too, a lower bound for two instances, not their ceiling.'
      : '- Pinning: none, so the instances and the load generator share every CPU.',
  );
  if (two.clientCpuPercent >= 90) {
    lines.push(
      `- The load generator used ${percent(two.clientCpuPercent)} of a CPU during the two-instance figure: one autocannon process may be what limits the sum.`,
    );
  }
  lines.push(
    `- Peak RSS against the ${CONTAINER_BUDGET_MB} MB container budget: ` +
      (over.length === 0
        ? `every instance stayed under it (highest ${megabytes(Math.max(...peaks.map(([, kb]) => kb)))}).`
        : `over it: ${over.map(([name, kb]) => `${name} (${megabytes(kb)})`).join(', ')}.`) +
      " The embedded default's peak is over the whole run, logins and the login flood included (argon2's memory); the other rows' over GET /user and one login.",
  );
  return lines;
}

const verdict = (met) => (met === null ? 'n/a' : met ? 'met' : 'MISSED');

/** The Markdown report: machine, command, settings, the tables and the targets. */
export function markdown(r) {
  if (!r.service) {
    return hotPathOnlyMarkdown(r);
  }
  const s = r.service;
  const c = r.peers.ceiling;
  const f = r.peers.fastapi;
  const u = s.getUser;
  const peerCell = (peer, pick) => (peer?.getUser ? pick(peer) : peer?.skipped ? 'skipped' : 'n/a');
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
  lines.push('');
  lines.push(`GET /user with a valid Bearer token, ${r.settings.connections.user} connections:`);
  lines.push('');
  lines.push(
    table(
      [
        '',
        'this service',
        'node:http ceiling',
        'FastAPI tutorial app',
        'service / ceiling',
        'service / FastAPI',
      ],
      [
        [
          'requests/s',
          num(u.perSecond),
          peerCell(c, (p) => num(p.getUser.perSecond)),
          peerCell(f, (p) => num(p.getUser.perSecond)),
          share(ratio(u.perSecond, c?.getUser?.perSecond)),
          times(ratio(u.perSecond, f?.getUser?.perSecond)),
        ],
        [
          'latency p50',
          ms(u.latency.p50Ms),
          peerCell(c, (p) => ms(p.getUser.latency.p50Ms)),
          peerCell(f, (p) => ms(p.getUser.latency.p50Ms)),
          times(ratio(u.latency.p50Ms, c?.getUser?.latency.p50Ms)),
          times(ratio(u.latency.p50Ms, f?.getUser?.latency.p50Ms)),
        ],
        [
          'latency p99',
          ms(u.latency.p99Ms),
          peerCell(c, (p) => ms(p.getUser.latency.p99Ms)),
          peerCell(f, (p) => ms(p.getUser.latency.p99Ms)),
          times(ratio(u.latency.p99Ms, c?.getUser?.latency.p99Ms)),
          times(ratio(u.latency.p99Ms, f?.getUser?.latency.p99Ms)),
        ],
        [
          'server CPU (of one core)',
          percent(u.serverCpuPercent),
          peerCell(c, (p) => percent(p.getUser.serverCpuPercent)),
          peerCell(f, (p) => percent(p.getUser.serverCpuPercent)),
          '',
          '',
        ],
        [
          'load generator CPU',
          percent(u.clientCpuPercent),
          peerCell(c, (p) => percent(p.getUser.clientCpuPercent)),
          peerCell(f, (p) => percent(p.getUser.clientCpuPercent)),
          '',
          '',
        ],
        [
          "other processes' CPU (noise)",
          percent(u.otherCpuPercent),
          peerCell(c, (p) => percent(p.getUser.otherCpuPercent)),
          peerCell(f, (p) => percent(p.getUser.otherCpuPercent)),
          '',
          '',
        ],
        [
          'RSS idle',
          megabytes(s.idleRssKb),
          peerCell(c, (p) => megabytes(p.idleRssKb)),
          peerCell(f, (p) => megabytes(p.idleRssKb)),
          times(ratio(s.idleRssKb, c?.idleRssKb)),
          times(ratio(s.idleRssKb, f?.idleRssKb)),
        ],
        [
          'RSS at the end of the run',
          megabytes(u.rssAfterKb),
          peerCell(c, (p) => megabytes(p.getUser.rssAfterKb)),
          peerCell(f, (p) => megabytes(p.getUser.rssAfterKb)),
          times(ratio(u.rssAfterKb, c?.getUser?.rssAfterKb)),
          times(ratio(u.rssAfterKb, f?.getUser?.rssAfterKb)),
        ],
      ],
    ),
  );
  lines.push(...scaleOutSection(r));
  lines.push(...algorithmsSection(r));
  const floors = [
    ['Fastify alone', r.peers.fastifyFloor],
    ['NestJS on Fastify, one global guard', r.peers.nestFloor],
  ].filter(([, floor]) => floor?.getUser);
  if (floors.length > 0) {
    lines.push('');
    lines.push(
      "What the stack costs before the service does anything (bench/floors/: GET /user with the ceiling's HS256 check, same load, no logging, headers or database):",
    );
    lines.push('');
    lines.push(
      table(
        ['', 'requests/s', 'of the ceiling', 'this service of it', 'latency p99', 'RSS idle'],
        floors.map(([name, floor]) => [
          name,
          num(floor.getUser.perSecond),
          share(ratio(floor.getUser.perSecond, c?.getUser?.perSecond)),
          share(ratio(u.perSecond, floor.getUser.perSecond)),
          ms(floor.getUser.latency.p99Ms),
          megabytes(floor.idleRssKb),
        ]),
      ),
    );
  }
  lines.push('');
  lines.push('The service alone:');
  lines.push('');
  const a = r.argon2;
  const iso = s.isolation;
  const cold = s.coldStart;
  lines.push(
    table(
      ['figure', 'value', 'read against'],
      [
        [
          `POST /login, valid credentials, ${s.login.connections} connections`,
          `${num(s.login.perSecond, 1)} logins/s, p50 ${ms(s.login.latency.p50Ms)}, p99 ${ms(s.login.latency.p99Ms)}`,
          `${share(ratio(s.login.perSecond, a.perSecond))} of bare argon2`,
        ],
        [
          `bare argon2id verify (m=${a.options.memoryCost} KiB, t=${a.options.timeCost}, p=${a.options.parallelism}), ${a.concurrency} in flight`,
          `${num(a.perSecond, 1)} verifies/s, p50 ${ms(a.latency.p50Ms)}, p99 ${ms(a.latency.p99Ms)}`,
          `the faster of two runs (before and after the service: ${a.runs.map((run) => num(run.perSecond, 1)).join(' and ')}/s), same CPU pinning as the server`,
        ],
        [
          `GET /user during a login flood (${iso.flood.connections} connections)`,
          `${num(iso.user.perSecond)} req/s, p50 ${ms(iso.user.latency.p50Ms)}, p99 ${ms(iso.user.latency.p99Ms)}`,
          `p99 ${times(ratio(iso.user.latency.p99Ms, u.latency.p99Ms))} alone, req/s ${share(ratio(iso.user.perSecond, u.perSecond))} of alone`,
        ],
        [
          'the flood itself',
          `${num(iso.flood.perSecond, 1)} logins/s, p99 ${ms(iso.flood.latency.p99Ms)}`,
          '',
        ],
        [
          `cold start: spawn to the first 200 of GET /user (median of ${cold.samplesMs.length})`,
          ms(cold.medianMs),
          `all: ${cold.samplesMs.map((v) => num(v, 0)).join(', ')} ms; CPU used by each start: ${cold.starts.map((v) => num(v.cpuSeconds, 2)).join(', ')} s; RSS at the first 200 ${megabytes(cold.rssAtFirstKb)}`,
        ],
        ['peak RSS of the service over the whole run (VmHWM)', megabytes(s.peakRssKb), ''],
        [
          'request log written (production default: info, JSON)',
          `${num(s.log.bytes / 1e6, 1)} MB`,
          `${num(s.log.lines)} lines (about one per request), ${num(s.log.bytes / Math.max(1, s.log.lines), 0)} bytes each`,
        ],
      ],
      { numeric: false },
    ),
  );
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
  const lines = [''];
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
