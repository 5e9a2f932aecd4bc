// The service row in the report: GET /user next to the ceiling and the FastAPI app, the floors,
// and the service's own figures (login, argon2, the flood, cold start, memory, request log).
import { megabytes, ms, num, percent, ratio, share, table, times } from '../lib/format.mjs';

/** GET /user of the service, the node:http ceiling and the FastAPI tutorial app (autocannon). */
export function getUserSection(r) {
  const s = r.service;
  const c = r.peers.ceiling;
  const f = r.peers.fastapi;
  const u = s.getUser;
  const peerCell = (peer, pick) => (peer?.getUser ? pick(peer) : peer?.skipped ? 'skipped' : 'n/a');
  const lines = [''];
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
  return lines;
}

/** The floors of bench/floors/, read against the ceiling and the service. */
export function floorsSection(r) {
  const c = r.peers.ceiling;
  const u = r.service.getUser;
  const lines = [];
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
  return lines;
}

/** The service alone: login against bare argon2, the flood, cold start, peak RSS, request log. */
export function serviceAloneSection(r) {
  const s = r.service;
  const u = s.getUser;
  const lines = [''];
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
  return lines;
}
