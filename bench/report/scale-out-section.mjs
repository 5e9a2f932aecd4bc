// (5), (6) and (5b) in the report: the embedded default next to PostgreSQL (+ Redis).
import { mb, megabytes, ms, num, percent, ratio, share, table, times } from '../lib/format.mjs';
import { CONTAINER_BUDGET_MB } from '../lib/settings.mjs';

/** (5) and (6): the embedded default next to PostgreSQL (+ Redis), one instance and two. */
export function scaleOutSection(r) {
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
