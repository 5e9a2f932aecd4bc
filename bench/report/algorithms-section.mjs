// (7) in the report: ES256, RS256 and HS256 side by side, each on its own fresh service.
import { num, percent, share, table } from '../lib/format.mjs';

/** (7): ES256, RS256 and HS256 side by side, each on its own fresh service, in alternating rounds. */
export function algorithmsSection(r) {
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
