// (8) The hot path (issue 15, lib/wrk.mjs): GET /user on fresh services with every protection on,
// the request log and metrics on ("production"), then the same build with the request log off,
// with metrics off and with tracing on, the two floors and the node:http ceiling, in alternating
// rounds, all driven by wrk. Each round's figures are read as ratios within it.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, spawnProcess } from '../../scripts/lib/service-process.mjs';
import { login } from '../lib/client.mjs';
import { ms, num, say } from '../lib/format.mjs';
import { freePort, HOST } from '../lib/processes.mjs';
import { IDLE_SETTLE_MS, INTERLEAVED_ROUNDS, PEERS, USER_CONNECTIONS } from '../lib/settings.mjs';
import {
  findWrk,
  measureWithWrk,
  schemaKnows,
  scrapeWhile,
  startTraceSink,
  wrkProblems,
} from '../lib/wrk.mjs';
import { hs256Peer } from './peers.mjs';

/** The variants of (8), those the build knows (its env schema) and, with the peers, the yardsticks. */
function variantsFor({ metrics, tracing, ceiling }) {
  return [
    { key: 'production', label: 'request log on (info, JSON to a file), metrics on', log: true, metrics },
    { key: 'logOff', label: 'request log off (LOG_LEVEL=warn)', log: false, metrics },
    ...(metrics
      ? [{ key: 'metricsOff', label: 'metrics off (no METRICS_PORT)', log: true, metrics: false }]
      : []),
    ...(tracing
      ? [
          {
            key: 'tracing',
            label: 'tracing on (OTLP/HTTP to a local sink)',
            log: true,
            metrics,
            tracing: true,
          },
        ]
      : []),
    // The floors show what the stack costs before the service does anything: the ratio the
    // service could reach at best while it stays a NestJS app on Fastify.
    ...(ceiling
      ? [
          { key: 'nestFloor', label: 'floor: NestJS on Fastify, one guard', floor: 'nest' },
          { key: 'fastifyFloor', label: 'floor: Fastify alone', floor: 'fastify' },
          { key: 'ceiling', label: 'node:http ceiling' },
        ]
      : []),
  ];
}

/** `{ generator, metricsKnown, tracingKnown, variants, rounds, traceSink?, problems }`, or `{ skipped }`. */
export async function measureHotPath(runner, dir) {
  const wrk = findWrk();
  if (wrk === null) {
    say('(8) hot path: skipped, wrk not found (apt-get install -y wrk)');
    return { skipped: 'wrk not found (apt-get install -y wrk)', problems: [] };
  }
  const metrics = schemaKnows(ROOT, 'METRICS_PORT');
  const tracing = schemaKnows(ROOT, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const ceiling = !runner.options.skipPeers && existsSync(join(PEERS, 'raw-node-limit', 'server.mjs'));
  const sink = tracing ? await startTraceSink() : null;
  const variants = variantsFor({ metrics, tracing, ceiling });
  const rounds = runner.options.quick ? 1 : INTERLEAVED_ROUNDS;
  const result = {
    generator: `wrk (${wrk}), 1 thread, ${USER_CONNECTIONS} connections, on the generator's CPU`,
    metricsKnown: metrics,
    tracingKnown: tracing,
    variants: variants.map(({ key, label }) => ({ key, label })),
    rounds: [],
    problems: [],
  };
  say(
    `(8) hot path: GET /user with wrk, ${variants.length} variants in ${rounds} alternating round(s)` +
      (metrics ? '' : '; metrics not in this build') +
      (tracing ? '' : '; tracing not in this build'),
  );
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      const figures = {};
      for (const variant of order) {
        runner.checkInterrupted();
        figures[variant.key] =
          variant.key === 'ceiling' || variant.floor
            ? await measurePeer(runner, dir, wrk, variant, round)
            : await measureService(runner, dir, wrk, variant, round, sink);
        const run = figures[variant.key];
        result.problems.push(...wrkProblems(`(8) round ${round + 1} ${variant.key}`, run));
        if (run.scrapes && run.scrapes.failed > 0) {
          result.problems.push(`(8) round ${round + 1} ${variant.key}: ${run.scrapes.failed} scrapes failed`);
        }
        say(
          `      round ${round + 1} ${variant.key}: ${num(run.perSecond)} req/s, p50 ${ms(run.latency.p50Ms)}, ` +
            `p99 ${ms(run.latency.p99Ms)}; server CPU ${num(run.serverCpuPercent)}%, wrk CPU ` +
            `${num(run.generatorCpuPercent)}%, other ${num(run.otherCpuPercent)}%, steal ${num(run.stealCpuPercent)}%`,
        );
      }
      result.rounds.push(figures);
    }
    if (sink !== null) {
      result.traceSink = { ...sink.received };
      if (sink.received.requests === 0) {
        result.problems.push('(8) tracing on: the trace sink received no export');
      }
    }
  } finally {
    await sink?.close();
  }
  return result;
}

/** One variant of the service: a fresh process with the variant's settings, idle RSS, wrk, peak RSS. */
async function measureService(runner, dir, wrk, variant, round, sink) {
  const secret = randomBytes(48).toString('base64');
  const password = randomBytes(18).toString('base64url');
  const metricsPort = variant.metrics ? await freePort() : null;
  const env = {
    ...(variant.log ? {} : { LOG_LEVEL: 'warn' }),
    ...(metricsPort === null ? {} : { METRICS_PORT: String(metricsPort) }),
    ...(variant.tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'bench' } : {}),
  };
  const label = `hot-path-${variant.key}-${round + 1}`;
  const { child, url } = await runner.startService(dir, label, {
    dataDir: join(dir, `${label}-data`),
    secret,
    password,
    env,
  });
  const scraping = new AbortController();
  try {
    await sleep(IDLE_SETTLE_MS);
    const idleRssKb = await child.memoryKb();
    const token = await login(url, 'bench', password);
    await runner.settle();
    const scrapes =
      metricsPort === null ? null : scrapeWhile(`http://${HOST}:${metricsPort}/metrics`, scraping.signal);
    const run = await measureWithWrk(
      wrk,
      child,
      { url: `${url}/user`, headers: { authorization: `Bearer ${token}` }, connections: USER_CONNECTIONS },
      runner.options,
      runner.running,
    );
    scraping.abort();
    run.scrapes = scrapes === null ? null : await scrapes;
    run.idleRssKb = idleRssKb;
    run.peakRssKb = await child.memoryKb('VmHWM');
    return run;
  } catch (error) {
    error.tail ??= await child.tail();
    throw error;
  } finally {
    scraping.abort();
    await runner.stop(child);
  }
}

/** The ceiling or a floor (bench/floors/), GET /user with the ceiling's HS256 check, under wrk. */
async function measurePeer(runner, dir, wrk, variant, round) {
  const { url, spawnSpec, getToken } = await hs256Peer(dir, variant.floor ?? 'ceiling', {
    label: variant.label,
    logName: `hot-path-${variant.key}-${round + 1}`,
  });
  const child = await runner.startServer(spawnProcess({ ...spawnSpec, pin: runner.pin }), url);
  try {
    await sleep(IDLE_SETTLE_MS);
    const idleRssKb = await child.memoryKb();
    const token = await getToken();
    await runner.settle();
    const run = await measureWithWrk(
      wrk,
      child,
      { url: `${url}/user`, headers: { authorization: `Bearer ${token}` }, connections: USER_CONNECTIONS },
      runner.options,
      runner.running,
    );
    run.idleRssKb = idleRssKb;
    run.peakRssKb = await child.memoryKb('VmHWM');
    return run;
  } finally {
    await runner.stop(child);
  }
}
