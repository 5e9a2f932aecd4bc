// (7)'s "new token" figure: GET /user where every request carries a token the service has never
// been shown, beside a control of the same shape with one remembered token.
import { mintTokens } from '../lib/client.mjs';
import { ms, num, say } from '../lib/format.mjs';
import { loadProblems, runLoad } from '../lib/load.mjs';
import { cpuSince, cpuSnapshot, processCpuSeconds } from '../lib/processes.mjs';
import { USER_CONNECTIONS } from '../lib/settings.mjs';

/**
 * How many GET /user requests, each with a token the process has never seen, are measured (after
 * a quarter as many for warm-up). Fewer than JwtStrategy remembers (10,000), so none is evicted:
 * each is uncached because it is new. Minting them is what bounds the count (POST /refresh, a few
 * hundred a second here).
 */
const NEW_TOKENS = { full: 2_000, quick: 500 };

/** What the report keeps of a run of (7); CPU per request in µs as in (5b). */
export function summarize(run) {
  return {
    perSecond: run.perSecond,
    latency: run.latency,
    serverCpuPercent: run.serverCpuPercent,
    clientCpuPercent: run.clientCpuPercent,
    otherCpuPercent: run.otherCpuPercent,
    cpuPerRequestUs: (run.serverCpuPercent * 1e4) / run.perSecond,
  };
}

/**
 * GET /user where every request carries a token the service has never been shown: each one
 * takes the full path (header, key by kid, signature check, decoding) before it is remembered.
 * The tokens are minted beforehand by logins and a chain of refreshes each (a refresh signs a
 * new access token without argon2's cost), then sent once each, in order, by one counter shared
 * by all connections, for a fixed number of requests instead of a duration. Beside it, a control
 * of the same shape (as many requests, fresh connections, setupRequest) with the one remembered
 * `token`: what the new tokens cost beyond it is theirs alone.
 */
export async function measureNewTokens(runner, child, url, { token, password, label, problems }) {
  const count = runner.options.quick ? NEW_TOKENS.quick : NEW_TOKENS.full;
  const warm = Math.ceil(count / 4);
  const minting = performance.now();
  const tokens = await mintTokens(url, password, warm + count);
  const mintSeconds = (performance.now() - minting) / 1000;
  runner.checkInterrupted();
  await runner.settle();
  await countedRun(runner, child, url, tokens.slice(0, warm), warm);
  const sameShape = await countedRun(runner, child, url, [token], count);
  const newTokens = await countedRun(runner, child, url, tokens.slice(warm), count);
  problems.push(
    ...loadProblems(`${label} GET /user, one token, ${count} requests`, sameShape, [200]),
    ...loadProblems(`${label} GET /user with new tokens`, newTokens, [200]),
  );
  const figures = {
    ...newTokens,
    sameShape,
    minted: { tokens: tokens.length, seconds: mintSeconds, perSecond: tokens.length / mintSeconds },
  };
  say(
    `      GET /user, ${count} requests (after ${warm} for warm-up), ${USER_CONNECTIONS} connections: ` +
      `a new token each ${num(newTokens.perSecond)} req/s, p50 ${ms(newTokens.latency.p50Ms)}, p99 ${ms(newTokens.latency.p99Ms)}, ` +
      `${num(newTokens.cpuPerRequestUs)} µs CPU/request, other processes ${num(newTokens.otherCpuPercent)}%; ` +
      `one token ${num(sameShape.perSecond)} req/s, ${num(sameShape.cpuPerRequestUs)} µs ` +
      `(${num(tokens.length)} tokens minted in ${num(mintSeconds, 1)} s)`,
  );
  return figures;
}

/** `amount` GET /user requests, each with the next of `tokens` (round and round); its figures. */
async function countedRun(runner, child, url, tokens, amount) {
  let next = 0;
  const spec = {
    url: `${url}/user`,
    connections: USER_CONNECTIONS,
    amount,
    requests: [
      {
        method: 'GET',
        path: '/user',
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` },
        }),
      },
    ],
  };
  const before = await cpuSnapshot(child);
  const cpuBefore = await processCpuSeconds(child.pid);
  const run = await runLoad(spec, runner.running);
  runner.checkInterrupted();
  // Per request from the server's CPU seconds: autocannon idles up to a second after the last
  // response (lib/load.mjs), which would dilute a percentage of the wall time.
  const serverCpuSeconds = (await processCpuSeconds(child.pid)) - cpuBefore;
  Object.assign(run, await cpuSince(before, child));
  return {
    ...summarize(run),
    requests: run.requests,
    statuses: run.statuses,
    errors: run.errors,
    timeouts: run.timeouts,
    errorCodes: run.errorCodes,
    serverCpuPercent: (serverCpuSeconds / run.seconds) * 100,
    cpuPerRequestUs: (serverCpuSeconds * 1e6) / run.requests,
  };
}
