// Benchmark of the built service against the node:http ceiling, two floors and the FastAPI tutorial
// app (`npm run bench`, which builds first). docs/performance.md says how to run and read it.
//
// Each figure is a module of bench/figures/ that takes the Runner (lib/runner.mjs: servers, load,
// CPU, Ctrl-C) and returns its results; this file runs them in order and keeps what they return in
// one results object `r`, from which bench/report/ builds the one report. In order, each load
// figure for --duration seconds after a --warmup:
//   - login.mjs: the bare argon2 verify rate with the service's ARGON2_OPTIONS, now and again after
//     the service's figures: the login figure is read against the faster run;
//   - service.mjs: the service as `npm run start:prod` runs it (lib/settings.mjs, SERVICE_SETTINGS):
//     idle RSS; (1) GET /user with a valid token at 32 connections; then login.mjs's (2) POST /login
//     and (3) GET /user during a flood of valid logins, on the same process;
//   - cold-start.mjs: (4) spawn to the first 200 of GET /user, on copies of a prepared data directory;
//   - scale-out.mjs: when PostgreSQL is reachable, (5) one instance on it (+ Redis), (6) two, and
//     (5b) the embedded default and PostgreSQL (+ Redis) in alternating fresh starts;
//   - algorithms.mjs: (7) ES256, RS256 and HS256, bare and on a fresh service each, in rounds;
//   - peers.mjs: when ../shared/peers exists, the node:http ceiling, the two floors of
//     bench/floors/ and the FastAPI tutorial app, GET /user the same way;
//   - hot-path.mjs: (8) GET /user with wrk, the observability parts on and off, the floors and the
//     ceiling in alternating rounds (alone with --hot-path-only).
// Servers run on CPU 0 and the load generator on CPU 1 when taskset exists. Writes
// bench/results/<date>.json, .md and .svg and prints the Markdown with the targets, which are
// informational: the exit status is 1 only when the harness failed or a figure is unsound
// (unexpected statuses, socket errors), never for a slow figure.
//
// Usage: node bench/bench.mjs [--quick] [--duration S] [--warmup S] [--cold-starts N] [--settle S] [--skip-peers]
//                             [--hot-path-only]
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join, relative } from 'node:path';
import { measureAlgorithms } from './figures/algorithms.mjs';
import { measureColdStarts } from './figures/cold-start.mjs';
import { measureHotPath } from './figures/hot-path.mjs';
import { bareArgon2, fasterArgon2 } from './figures/login.mjs';
import { measurePeers } from './figures/peers.mjs';
import { measureScaleOut } from './figures/scale-out.mjs';
import { measureService } from './figures/service.mjs';
import { ms, say } from './lib/format.mjs';
import { machineInfo, setUpPinning } from './lib/machine.mjs';
import { commandLine, parseOptions } from './lib/options.mjs';
import { Runner } from './lib/runner.mjs';
import { FLOOD_CONNECTIONS, LOGIN_CONNECTIONS, SERVICE_SETTINGS, USER_CONNECTIONS } from './lib/settings.mjs';
import { buildReport, writeResults } from './report/write.mjs';

/** Every figure but (8), in order, into `r`. */
async function measureAll(runner, dir, r) {
  const argonBefore = await bareArgon2(runner, 'before the service');
  say('');
  r.service = await measureService(runner, dir);
  r.service.coldStart = await measureColdStarts(runner, dir);
  r.problems.push(...r.service.problems);
  say(`      median ${ms(r.service.coldStart.medianMs)}`);
  say('');
  r.scaleOut = await measureScaleOut(runner, dir);
  r.problems.push(...r.scaleOut.problems);
  say('');
  const argonAfter = await bareArgon2(runner, 'after the service');
  r.argon2 = fasterArgon2(argonBefore, argonAfter);
  say('');
  r.algorithms = await measureAlgorithms(runner, dir);
  r.problems.push(...r.algorithms.problems);
  say('');
  const { peers, python, problems } = await measurePeers(runner, dir);
  Object.assign(r.peers, peers);
  if (python !== null) {
    r.machine.python = python;
  }
  r.problems.push(...problems);
}

async function main() {
  const options = parseOptions();
  if (!existsSync('/proc/self/status')) {
    console.error('The bench reads memory and CPU time from /proc/<pid>: Linux only.');
    return 2;
  }
  const startedAt = new Date();
  const pinning = setUpPinning();
  const machine = machineInfo();
  const command = commandLine(options.args, import.meta.filename);
  const runner = new Runner(options, pinning.server);
  const onSignal = (signal) => {
    if (!runner.interrupted) {
      console.error(`\n${signal}: stopping the load and the servers…`);
      runner.interrupt();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  say(`bench: ${command}`);
  say(`machine: ${machine.cpuModel}, ${machine.cpus} CPUs, Node ${machine.node}, ${machine.commit}`);
  say(`pinning: ${pinning.description}`);
  say(
    `each figure: ${options.duration} s after a ${options.warmup} s warm-up${options.quick ? ' (--quick: a smoke run)' : ''}`,
  );
  say('');

  const dir = await mkdtemp(join(os.tmpdir(), 'bench-'));
  const r = {
    startedAt: startedAt.toISOString(),
    command,
    quick: options.quick,
    machine,
    settings: {
      duration: options.duration,
      warmup: options.warmup,
      coldStarts: options.coldStarts,
      settle: options.settle,
      connections: { user: USER_CONNECTIONS, login: LOGIN_CONNECTIONS, flood: FLOOD_CONNECTIONS },
      pinning: pinning.description,
      serviceSettings: SERVICE_SETTINGS,
    },
    argon2: null,
    service: null,
    scaleOut: null,
    algorithms: null,
    hotPath: null,
    peers: { ceiling: null, fastapi: null },
    targets: [],
    issue24Targets: [],
    notes: [],
    problems: [],
  };
  try {
    if (!options.hotPathOnly) {
      await measureAll(runner, dir, r);
    }
    r.hotPath = await measureHotPath(runner, dir);
    r.problems.push(...r.hotPath.problems);
    say('');
  } catch (error) {
    const interrupted = runner.interrupted;
    console.error(`bench aborted: ${error instanceof Error ? error.message : String(error)}`);
    if (error?.tail && !interrupted) {
      console.error(`last output of the process:\n${error.tail}`);
    }
    runner.interrupt();
    await rm(dir, { recursive: true, force: true });
    return interrupted ? 130 : 1;
  } finally {
    for (const child of runner.children) {
      await child.stop();
    }
  }
  await rm(dir, { recursive: true, force: true });

  const report = buildReport(r);
  const base = await writeResults(r, report, options);

  say(report);
  say('');
  const line = (target, verdict) => say(`${verdict}  ${target.target}: ${target.measured}`);
  for (const target of r.issue24Targets) {
    line(target, target.met === null ? 'NOT MEASURED' : target.met ? 'MET         ' : 'MISSED      ');
  }
  say('');
  for (const target of r.targets) {
    line(target, target.met === null ? 'n/a   ' : target.met ? 'MET   ' : 'MISSED');
  }
  say('');
  say(
    `wrote ${relative(process.cwd(), `${base}.json`)}, ${relative(process.cwd(), `${base}.md`)} and ${relative(process.cwd(), `${base}.svg`)}`,
  );
  if (r.problems.length > 0) {
    say(`bench FAILED: ${r.problems.length} figure(s) unsound (see "Problems" above)`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
