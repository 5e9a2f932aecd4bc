// (8) The hot path (issue 15): GET /user on the production build with each observability part on
// and off, and the node:http ceiling, driven by wrk.
//
// Why wrk: autocannon is JavaScript on one core, and at the ceiling's rate it is the bottleneck
// (about 80% of its core for 65k req/s here, with its own event loop's latency in every figure).
// wrk, in C, drives the same ceiling with a fraction of its core, so a ratio to the ceiling
// measures the servers, not the generator. Its CPU is reported beside every figure: wrk runs under
// `bash -c '...; times'`, whose `times` prints the CPU its children used, to the tick.
//
// Why rounds: one 10 s sample varies by +-10% on these machines, more than the 5% a metrics
// target reads. Each round starts a fresh process for every variant, in alternating order
// (ABCDE, EDCBA, ...), and each round's figures are read as ratios within the round; the targets
// read the median of those ratios.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HOST, cpuSnapshot, cpuSince, freePort } from './processes.mjs';

/** wrk from Debian (`apt-get install -y wrk`), or null. */
export function findWrk() {
  for (const path of ['/usr/bin/wrk', '/usr/local/bin/wrk']) {
    if (existsSync(path)) {
      return path;
    }
  }
  return null;
}

/**
 * Whether the service's environment schema knows `name` (a feature may be on another branch):
 * env.schema.ts or a part of it spread in from src/config/ (tracing-config.ts).
 */
export function schemaKnows(root, name) {
  const config = join(root, 'src', 'config');
  const pattern = new RegExp(`^\\s*${name}\\s*:`, 'm');
  return readdirSync(config)
    .filter((file) => file.endsWith('.ts'))
    .some((file) => pattern.test(readFileSync(join(config, file), 'utf8')));
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

/** wrk's "1.04ms" / "460.00us" / "1.20s" in milliseconds. */
function wrkDuration(text) {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2]] : null;
}

/** The figures of wrk's `--latency` output, and the CPU seconds bash's `times` printed after it. */
export function parseWrk(output) {
  const requests = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(output);
  const perSecond = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const percentile = (p) => {
    const match = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(output);
    return match ? wrkDuration(match[1]) : null;
  };
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  // `times` prints two lines: the shell's own user/system time, then its children's (wrk's).
  const times = [...output.matchAll(/^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/gm)];
  const children = times.at(-1);
  return {
    requests: requests ? Number(requests[1]) : 0,
    seconds: requests ? (Number(requests[2]) * UNIT_MS[requests[3]]) / 1000 : null,
    perSecond: perSecond ? Number(perSecond[1]) : 0,
    latency: { p50Ms: percentile(50), p90Ms: percentile(90), p99Ms: percentile(99) },
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    generatorCpuSeconds: children
      ? Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4])
      : null,
  };
}

/**
 * One wrk run: one thread (the bench process, and so wrk, is pinned to the generator's CPU), `connections`
 * connections, `seconds` long. `running` holds the child so that Ctrl-C can stop it.
 */
export function runWrk(wrk, { url, headers = {}, connections, seconds }, running) {
  const args = [wrk, '-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
  for (const [name, value] of Object.entries(headers)) {
    args.push('-H', `${name}: ${value}`);
  }
  args.push(url);
  // bash -c 'exec-free: run wrk, then times'; the arguments go as $1.. so nothing is re-quoted.
  const child = spawn('bash', ['-c', '"$@"; times', 'wrk', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = { stop: () => child.kill('SIGINT') };
  running.add(stop);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      running.delete(stop);
      if (code !== 0) {
        reject(new Error(`wrk exited ${code}: ${output.trim().split('\n').slice(-3).join(' / ')}`));
        return;
      }
      const run = parseWrk(output);
      run.connections = connections;
      run.generatorCpuPercent =
        run.generatorCpuSeconds === null || !run.seconds
          ? null
          : (run.generatorCpuSeconds / run.seconds) * 100;
      resolve(run);
    });
  });
}

/** What is wrong with a wrk run for its figure to count. */
export function wrkProblems(name, run) {
  const problems = [];
  if (run.requests === 0) {
    problems.push(`${name}: no response at all`);
  }
  if (run.non2xx > 0) {
    problems.push(`${name}: ${run.non2xx} responses were not 2xx`);
  }
  if (run.socketErrors > 0) {
    problems.push(`${name}: ${run.socketErrors} socket errors`);
  }
  return problems;
}

/**
 * A stand-in OTLP/HTTP collector on the generator's CPU: answers every export 200 at once and
 * counts what it received, so that "tracing on" is known to have exported something.
 */
export async function startTraceSink() {
  const received = { requests: 0, bytes: 0 };
  const server = http.createServer((request, response) => {
    request.on('data', (chunk) => (received.bytes += chunk.length));
    request.on('end', () => {
      received.requests++;
      response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/json' });
      response.end(request.headers['content-type']?.includes('json') ? '{}' : '');
    });
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, HOST, resolve));
  return { url: `http://${HOST}:${port}`, received, close: () => new Promise((r) => server.close(r)) };
}

/**
 * While a figure runs, asks the metrics listener for /metrics once a second, as a Prometheus would
 * (more often than its 15 s default: the figure then includes the scrapes' cost). Resolves with the
 * count of 200s when `signal` aborts.
 */
export async function scrapeWhile(url, signal) {
  let ok = 0;
  let failed = 0;
  while (!signal.aborted) {
    try {
      const response = await fetch(url, { signal });
      await response.arrayBuffer();
      response.ok ? ok++ : failed++;
    } catch {
      if (!signal.aborted) {
        failed++;
      }
    }
    await sleep(1_000, undefined, { signal }).catch(() => {});
  }
  return { ok, failed };
}

/** A wrk figure with the server's CPU (from /proc) beside wrk's own. */
export async function measureWithWrk(wrk, child, spec, { warmup, duration }, running) {
  if (warmup > 0) {
    await runWrk(wrk, { ...spec, seconds: warmup }, running);
  }
  const before = await cpuSnapshot(child);
  const run = await runWrk(wrk, { ...spec, seconds: duration }, running);
  const cpu = await cpuSince(before, child);
  run.serverCpuPercent = cpu.serverCpuPercent;
  // cpuSince counts wrk with the other processes: take it out. The bench's own process (idle
  // during a wrk figure but for the scrapes and the trace sink) is reported on its own.
  run.otherCpuPercent = Math.max(0, cpu.otherCpuPercent - (run.generatorCpuPercent ?? 0));
  run.benchCpuPercent = cpu.clientCpuPercent;
  run.stealCpuPercent = cpu.stealCpuPercent;
  run.rssAfterKb = await child.memoryKb();
  return run;
}
