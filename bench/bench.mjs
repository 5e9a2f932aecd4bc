// Benchmark of the built service against the node:http ceiling and the FastAPI tutorial app
// (`npm run bench`, which builds first). Issue 5 describes the figures and their targets.
//
// What it does, in order, each load figure for --duration seconds after a --warmup:
//   - the bare argon2 verify rate with the service's ARGON2_OPTIONS (bench/argon2-rate.mjs), now
//     and again after the service's figures: the login figure is read against the faster run;
//   - the service (as `npm run start:prod` runs it: dist/bundle/main.js, NODE_ENV=production, fresh DATA_DIR, default logging: info, one
//     JSON line per request, written to a file): idle RSS; (1) GET /user with a valid token at 32
//     connections, RSS at its end; (2) POST /login with valid credentials; (3) GET /user again,
//     at the same time as a flood of valid logins; LOGIN_RATE_LIMIT and LOGIN_FAILURE_LIMIT are
//     raised to 1000000 so that throttling cannot cap the login figures;
//   - (4) cold start: a data directory with the user and a live session is prepared once (and a
//     token minted by logging in), then for each start it is copied, the service spawned, and the
//     time to the first 200 of GET /user with that token taken;
//   - when PostgreSQL is reachable (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432;
//     otherwise skipped with the reason), on a fresh database created for the run and dropped
//     after it, with Redis too (BENCH_REDIS_URL, a key prefix of the run's own) when the service's
//     env schema knows REDIS_URL and Redis answers: (5) GET /user on one instance, pinned like the
//     service above; (6) GET /user on two instances, one per CPU, one autocannon instance per
//     instance at 32 connections each, their figures summed; (5b) the embedded default and one
//     instance on PostgreSQL (+ Redis) in alternating fresh starts;
//   - (7) signing algorithms: the bare jsonwebtoken sign and verify cost of ES256, RS256 and HS256
//     (bench/jwt-rate.mjs), then, in alternating rounds (ABC, CBA, ...), a fresh service for each
//     with JWT_ALGORITHM set: GET /user with one token (the remembered-token path), GET /user with
//     a token never seen before on every request (the signature-check path), POST /login;
//   - when ../shared/peers exists, the node:http ceiling and the FastAPI tutorial app, one after
//     the other, GET /user the same way.
// Servers run on CPU 0 and the load generator (autocannon, in this process) on CPU 1 when
// taskset exists; for (6) the instances take CPU 0 and CPU 1 and the generator may run on either. Writes bench/results/<date>.json and .md and prints the Markdown tables with
// the issue's targets, which are informational: the exit status is 1 only when the harness
// failed or a figure is unsound (unexpected statuses, socket errors), never for a slow figure.
//
// On a shared machine other processes steal CPU from the figures: before each figure the bench
// waits up to --settle seconds for them to calm down, and reports the CPU they used during each.
//
// Usage: node bench/bench.mjs [--quick] [--duration S] [--warmup S] [--cold-starts N] [--settle S] [--skip-peers]
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { LatencyRecorder, loadProblems, runLoad } from './lib/load.mjs';
import {
  cpuSince,
  cpuSnapshot,
  freePort,
  HOST,
  machineBusySeconds,
  probe,
  processCpuSeconds,
  waitForHttp,
} from './lib/processes.mjs';
import {
  findWrk,
  measureWithWrk,
  schemaKnows,
  scrapeWhile,
  startTraceSink,
  wrkProblems,
} from './lib/hot-path.mjs';
import { chartRows, chartSvg } from './lib/chart.mjs';
import { hotPathSummary } from './lib/hot-path-report.mjs';
import { evaluateTargets, markdown, megabytes, ms, num } from './lib/report.mjs';
import {
  clearRedisPrefix,
  createDatabase,
  dropDatabase,
  postgresStatus,
  redisStatus,
} from './lib/scale-out.mjs';
import {
  MAIN,
  productionNodeFlags,
  ROOT,
  spawnProcess,
  spawnService,
} from '../scripts/lib/service-process.mjs';

/** The Node.js flags of `npm run start:prod`, with which spawnService runs the service here too. */
const NODE_FLAGS = productionNodeFlags();
const HASHER = join(ROOT, 'dist', 'users', 'password-hasher.service.js');
const ARGON2_RATE = join(import.meta.dirname, 'argon2-rate.mjs');
const JWT_RATE = join(import.meta.dirname, 'jwt-rate.mjs');
const FLOORS = join(import.meta.dirname, 'floors');
const RESULTS = join(import.meta.dirname, 'results');
const PEERS = resolve(ROOT, '..', 'shared', 'peers');

const USER_CONNECTIONS = 32;
/** Rounds of (5b), the embedded default and PostgreSQL (+ Redis) one after the other. */
const INTERLEAVED_ROUNDS = 3;
/** (7): the signing algorithms JWT_ALGORITHM accepts, HS256 (the shared secret) last: the yardstick. */
const ALGORITHMS = ['ES256', 'RS256', 'HS256'];
/** Rounds of (7), the three algorithms one after the other (ABC, CBA, ABC). */
const ALGORITHM_ROUNDS = 3;
/**
 * (7) new tokens: how many GET /user requests, each with a token the process has never seen, are
 * measured (after a quarter as many for warm-up). Fewer than JwtStrategy remembers (10,000), so
 * none is evicted: each is uncached because it is new. Minting them is what bounds the count
 * (POST /refresh, a few hundred a second here).
 */
const NEW_TOKENS = { full: 2_000, quick: 500 };
/** Refresh chains minting those tokens at once: one login each, then refresh after refresh. */
const MINT_CHAINS = 8;
/** Logins in flight: at least one per hashing thread (one per CPU the server may use), so none idles. */
const LOGIN_CONNECTIONS = 4;
const FLOOD_CONNECTIONS = 16;
const FLOOD_TIMEOUT_S = 60;
const IDLE_SETTLE_MS = 2_000;
/** Other processes' CPU (percent of one CPU) above which a figure is reported as disturbed. */
const NOISY_PERCENT = 10;
const THROTTLE_OFF = '1000000';
/** run.sh runs this interpreter, so this is the one that needs the modules (not a pyenv shim). */
const PYTHON = '/usr/bin/python3';
const PYTHON_MODULES = ['fastapi', 'uvicorn', 'jwt', 'dotenv', 'uvloop', 'httptools'];
const APT_INSTALL =
  'apt-get update && apt-get install -y python3-fastapi python3-uvicorn python3-jwt python3-dotenv python3-uvloop python3-httptools';

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const SERVICE_SETTINGS =
  `\`node ${[...NODE_FLAGS, 'dist/bundle/main.js'].join(' ')}\` as \`npm run start:prod\` runs it, ` +
  'NODE_ENV=production, fresh DATA_DIR (SQLite), production default logging (LOG_LEVEL unset = info, JSON: one line per request, stdout written to a file), ' +
  `LOGIN_RATE_LIMIT=${THROTTLE_OFF} and LOGIN_FAILURE_LIMIT=${THROTTLE_OFF} so that throttling cannot cap the login figures; every other protection at its default`;

function parseOptions() {
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

/** Pins this process (all its threads: the load generator) to the CPUs of `cpus`, a taskset list. */
function pinSelf(cpus) {
  return spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)]).status === 0;
}

/** Where setUpPinning puts the load generator, and the servers. */
const GENERATOR_CPU = '1';
const SERVER_CPU = '0';

/** Pins this process (the load generator) to CPU 1; returns the CPU list for servers, or null. */
function setUpPinning() {
  const cpus = os.availableParallelism();
  if (spawnSync('taskset', ['-c', '0', 'true']).status !== 0) {
    return {
      server: null,
      description: 'none (taskset not found): servers and load generator share every CPU',
    };
  }
  if (cpus < 2) {
    return { server: null, description: 'none (one CPU): servers and load generator share it' };
  }
  if (!pinSelf(GENERATOR_CPU)) {
    return { server: null, description: 'none (taskset could not pin the load generator)' };
  }
  return {
    server: SERVER_CPU,
    description:
      'servers (and bare argon2) on CPU 0, load generator (autocannon, in the bench process) on CPU 1, with taskset' +
      (cpus > 2 ? `; CPUs 2-${cpus - 1} idle` : ''),
  };
}

function machineInfo() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux: os.cpus() it is
  }
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD').stdout?.trim();
  const dirty = git('status', '--porcelain', '--', 'src', 'package.json', 'package-lock.json').stdout?.trim();
  const autocannon = JSON.parse(
    readFileSync(join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8'),
  );
  return {
    cpuModel,
    cpus: os.cpus().length,
    memoryGb: os.totalmem() / 1e9,
    kernel: os.release(),
    node: process.version,
    autocannon: autocannon.version,
    commit: head
      ? `commit ${head}${dirty ? ' with uncommitted changes in src/ or package files' : ''}`
      : 'not a git checkout',
    python: null,
  };
}

/** The command line as typed, for the report. */
function commandLine(args) {
  if (process.env.npm_lifecycle_event === 'bench') {
    return `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  }
  return ['node', relative(process.cwd(), import.meta.filename) || 'bench/bench.mjs', ...args].join(' ');
}

const say = (line) => console.log(line);

/**
 * dist/ may vanish under the run: other people run `nest build` (deleteOutDir) in this workspace.
 * Waits for their build to bring it back, and builds itself if it does not.
 */
async function ensureBuilt() {
  if (existsSync(MAIN) && existsSync(HASHER)) {
    return;
  }
  say('  dist/ is missing (another `nest build` running?): waiting up to 60 s for it');
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await sleep(500);
    if (existsSync(MAIN) && existsSync(HASHER)) {
      await sleep(3_000); // let that build finish writing
      return;
    }
  }
  say('  still missing: npm run build');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0 || !existsSync(MAIN)) {
    throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  }
}

/** Runs `task` with dist/ present; if it fails because dist/ changed under it, rebuilds and retries. */
async function withBuild(task, attempts = 3) {
  for (let attempt = 1; ; attempt++) {
    await ensureBuilt();
    try {
      return await task();
    } catch (error) {
      const text = `${error.message}\n${error.tail ?? ''}`;
      const missing = !existsSync(MAIN) || /ERR_MODULE_NOT_FOUND|Cannot find module/.test(text);
      if (!missing || attempt >= attempts) {
        throw error;
      }
      say(`  dist/ changed under the run (${error.message.split('\n')[0]}): rebuilding and retrying`);
    }
  }
}

/**
 * What a service process gets, on top of spawnService's clean environment (PATH, NO_COLOR);
 * `extra` adds to it (DATABASE_URL, REDIS_URL).
 */
function serviceEnv({ port, dataDir, secret, password, extra = {} }) {
  return {
    NODE_ENV: 'production',
    HOST,
    PORT: String(port),
    DATA_DIR: dataDir,
    JWT_SECRET: secret,
    ADMIN_NAME: 'bench',
    ADMIN_PASSWORD: password,
    // No load balancer to drain: stop at once, not after production's 5 s (docs/scaling.md).
    SHUTDOWN_DELAY: '0',
    LOGIN_RATE_LIMIT: THROTTLE_OFF,
    LOGIN_FAILURE_LIMIT: THROTTLE_OFF,
    ...extra,
  };
}

/**
 * How to run one of the servers that answer GET /user with the ceiling's HS256 check: the
 * node:http ceiling (`name` 'ceiling', from ../shared/peers) or a floor of bench/floors/ ('fastify',
 * 'nest'), on a free port with a fresh secret; `getToken` mints a token it accepts.
 */
async function hs256Peer(dir, name, { label = 'node:http ceiling', logName } = {}) {
  const port = await freePort();
  const env = { PATH: process.env.PATH, PORT: String(port), JWT_SECRET: randomBytes(48).toString('base64') };
  const ceiling = name === 'ceiling';
  const [server, mint] = ceiling
    ? [join(PEERS, 'raw-node-limit', 'server.mjs'), join(PEERS, 'raw-node-limit', 'mint.mjs')]
    : [join(FLOORS, `${name}.mjs`), join(FLOORS, 'hs256.mjs')];
  return {
    url: `http://${HOST}:${port}`,
    spawnSpec: {
      label,
      command: process.execPath,
      args: [server],
      env,
      // A floor's imports resolve from the project's node_modules.
      cwd: ceiling ? dir : ROOT,
      logFile: join(dir, `${logName ?? (ceiling ? 'ceiling' : `floor-${name}`)}.log`),
    },
    getToken: async () => execFileSync(process.execPath, [mint], { env, encoding: 'utf8' }).trim(),
  };
}

class Bench {
  constructor(options, pin) {
    this.options = options;
    this.pin = pin;
    this.running = new Set(); // autocannon instances
    this.children = new Set();
    this.interrupted = false;
  }

  interrupt() {
    this.interrupted = true;
    for (const instance of this.running) {
      instance.stop();
    }
    for (const child of this.children) {
      void child.stop();
    }
  }

  checkInterrupted() {
    if (this.interrupted) {
      throw new Error('interrupted');
    }
  }

  /**
   * Waits up to --settle seconds until the machine's processes use under NOISY_PERCENT of a CPU
   * for two seconds in a row (the servers are idle then, so that is everybody else).
   */
  async settle() {
    const seconds = this.options.settle;
    if (seconds <= 0) {
      return;
    }
    const deadline = Date.now() + seconds * 1000;
    let calm = 0;
    let busyPercent = 0;
    while (Date.now() < deadline) {
      this.checkInterrupted();
      const before = await machineBusySeconds();
      const started = performance.now();
      await sleep(1_000);
      busyPercent = (((await machineBusySeconds()) - before) / ((performance.now() - started) / 1000)) * 100;
      calm = busyPercent < NOISY_PERCENT ? calm + 1 : 0;
      if (calm >= 2) {
        return;
      }
    }
    say(
      `      (other processes still used ${num(busyPercent)}% of a CPU after ${seconds} s of waiting: measuring anyway)`,
    );
  }

  /** Keeps `child` (a ServiceProcess) to stop on an interrupt, until it exits. */
  track(child) {
    this.children.add(child);
    void child.exited.then(() => this.children.delete(child));
    return child;
  }

  async stop(child) {
    const result = await child.stop();
    this.children.delete(child);
    return result;
  }

  /** Tracks a spawned server and waits until it answers GET /user (any status). */
  async startServer(spawned, url) {
    const child = this.track(spawned);
    try {
      await waitForHttp(child, `${url}/user`);
    } catch (error) {
      error.tail = await child.tail();
      await this.stop(child);
      throw error;
    }
    return child;
  }

  async startService(dir, label, { dataDir, secret, password, env, pin = this.pin }) {
    return withBuild(async () => {
      const port = await freePort();
      const url = `http://${HOST}:${port}`;
      const child = await this.startServer(
        spawnService({
          label,
          env: serviceEnv({ port, dataDir, secret, password, extra: env }),
          cwd: dir, // no .env of the developer's is read
          logFile: join(dir, `${label}.log`),
          pin,
        }),
        url,
      );
      return { child, url };
    });
  }

  /** A warm-up run (not kept), then the measured run with the server's and this process's CPU use. */
  async measure(child, spec) {
    const { warmup, duration } = this.options;
    await this.settle();
    if (warmup > 0) {
      await runLoad({ ...spec, duration: warmup }, this.running);
      this.checkInterrupted();
    }
    const before = await cpuSnapshot(child);
    const run = await runLoad({ ...spec, duration }, this.running);
    this.checkInterrupted();
    Object.assign(run, await cpuSince(before, child));
    run.rssAfterKb = await child.memoryKb();
    return run;
  }

  /**
   * `measure` for several servers at once, one autocannon instance (spec) each, all in this
   * process: the sum of their rates, the percentiles of all their responses together, and each
   * instance's own figures. With `generatorCpus` (a taskset list), this process may run on those
   * CPUs during the figure and goes back to its own CPU after it.
   */
  async measureTogether(children, specs, { generatorCpus = null } = {}) {
    const { warmup, duration } = this.options;
    await this.settle();
    if (generatorCpus !== null && !pinSelf(generatorCpus)) {
      throw new Error(`taskset could not move the load generator to CPUs ${generatorCpus}`);
    }
    try {
      if (warmup > 0) {
        await Promise.all(specs.map((spec) => runLoad({ ...spec, duration: warmup }, this.running)));
        this.checkInterrupted();
      }
      const latency = new LatencyRecorder();
      const before = await cpuSnapshot(children);
      const runs = await Promise.all(
        specs.map((spec) => runLoad({ ...spec, duration }, this.running, { alsoRecord: latency })),
      );
      this.checkInterrupted();
      const cpu = await cpuSince(before, children);
      const instances = await Promise.all(
        runs.map(async (run, i) => ({
          ...run,
          serverCpuPercent: cpu.serversCpuPercent[i],
          rssAfterKb: await children[i].memoryKb(),
        })),
      );
      const total = (pick) => instances.reduce((sum, run) => sum + pick(run), 0);
      return {
        connections: total((run) => run.connections),
        requests: total((run) => run.requests),
        perSecond: total((run) => run.perSecond),
        latency: latency.summary(),
        serverCpuPercent: cpu.serverCpuPercent,
        clientCpuPercent: cpu.clientCpuPercent,
        otherCpuPercent: cpu.otherCpuPercent,
        instances,
      };
    } finally {
      if (generatorCpus !== null && this.pin !== null) {
        pinSelf(GENERATOR_CPU);
      }
    }
  }

  async argon2(when) {
    const { warmup, duration } = this.options;
    say(
      `argon2 (${when}): bare verify rate with the service's ARGON2_OPTIONS, one in flight per CPU it may use (${warmup} s warm-up + ${duration} s)`,
    );
    const args = [ARGON2_RATE, '--duration', String(duration), '--warmup', String(warmup)];
    const [file, argv] =
      this.pin === null ? [process.execPath, args] : ['taskset', ['-c', this.pin, process.execPath, ...args]];
    await this.settle();
    const result = await withBuild(async () => {
      const busyBefore = await machineBusySeconds();
      const started = performance.now();
      const run = spawnSync(file, argv, { env: { PATH: process.env.PATH }, encoding: 'utf8' });
      if (run.status !== 0) {
        throw Object.assign(new Error(`bench/argon2-rate.mjs failed (${run.status ?? run.signal})`), {
          tail: run.stderr,
        });
      }
      const figures = JSON.parse(run.stdout);
      const wall = (performance.now() - started) / 1000;
      const others = (await machineBusySeconds()) - busyBefore - figures.totalCpuSeconds;
      figures.otherCpuPercent = Math.max(0, (others / wall) * 100);
      return figures;
    });
    this.checkInterrupted();
    say(
      `  ${num(result.perSecond, 1)} verifies/s, ${ms(result.latency.p50Ms)} p50, ${ms(result.latency.p99Ms)} p99 per verify ` +
        `(argon2id m=${result.options.memoryCost} KiB t=${result.options.timeCost} p=${result.options.parallelism}), ` +
        `other processes' CPU ${num(result.otherCpuPercent)}%`,
    );
    return result;
  }

  /** The bare sign and verify cost per algorithm (bench/jwt-rate.mjs), on the server's CPU. */
  async jwtRate() {
    // A micro-figure: a fifth of --duration per operation and algorithm is plenty (tens of µs each).
    const seconds = Math.max(0.5, this.options.duration / 5);
    say(
      `  bare jsonwebtoken sign and verify per algorithm, in one process (${seconds} s each, after a warm-up)`,
    );
    const args = [JWT_RATE, '--duration', String(seconds)];
    const [file, argv] =
      this.pin === null ? [process.execPath, args] : ['taskset', ['-c', this.pin, process.execPath, ...args]];
    await this.settle();
    const busyBefore = await machineBusySeconds();
    const started = performance.now();
    const run = spawnSync(file, argv, { cwd: ROOT, env: { PATH: process.env.PATH }, encoding: 'utf8' });
    if (run.status !== 0) {
      throw Object.assign(new Error(`bench/jwt-rate.mjs failed (${run.status ?? run.signal})`), {
        tail: run.stderr,
      });
    }
    const figures = JSON.parse(run.stdout);
    const wall = (performance.now() - started) / 1000;
    const others = (await machineBusySeconds()) - busyBefore - figures.totalCpuSeconds;
    figures.otherCpuPercent = Math.max(0, (others / wall) * 100);
    this.checkInterrupted();
    say(
      `      ${ALGORITHMS.map((algorithm) => {
        const { sign, verify } = figures.algorithms[algorithm];
        return `${algorithm}: sign ${num(sign.cpuUsPerOperation, 1)} µs, verify ${num(verify.cpuUsPerOperation, 1)} µs`;
      }).join('; ')}; other processes' CPU ${num(figures.otherCpuPercent)}%`,
    );
    return figures;
  }

  /**
   * (7): each signing algorithm on a fresh service, started as the service row is but with
   * JWT_ALGORITHM set, in alternating rounds (ABC, CBA, ...) for the reason (5b) has. Each round
   * reports every algorithm's ratio to HS256 in the same round; the target reads their median.
   */
  async algorithms(dir) {
    const rounds = this.options.quick ? 1 : ALGORITHM_ROUNDS;
    say(`(7) signing algorithms: ${ALGORITHMS.join(', ')}, fresh service each, ${rounds} round(s)`);
    const result = { bare: await this.jwtRate(), rounds: [], problems: [] };
    const secret = randomBytes(48).toString('base64');
    const password = randomBytes(18).toString('base64url');
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ALGORITHMS : [...ALGORITHMS].reverse();
      const figures = {};
      for (const algorithm of order) {
        figures[algorithm] = await this.algorithmFigures(dir, `alg-${round + 1}-${algorithm}`, {
          algorithm,
          secret,
          password,
          problems: result.problems,
        });
      }
      const hs = figures.HS256;
      const ratios = {};
      for (const algorithm of ALGORITHMS.filter((name) => name !== 'HS256')) {
        const x = figures[algorithm];
        ratios[algorithm] = {
          getUserRate: x.getUser.perSecond / hs.getUser.perSecond,
          // As in (5b): HS256's CPU per request over this one's, so that 100% is parity here too.
          getUserCpu: hs.getUser.cpuPerRequestUs / x.getUser.cpuPerRequestUs,
          newTokenRate: x.newTokens.perSecond / hs.newTokens.perSecond,
          newTokenCpu: hs.newTokens.cpuPerRequestUs / x.newTokens.cpuPerRequestUs,
          login: x.login.perSecond / hs.login.perSecond,
        };
      }
      result.rounds.push({ order, figures, ratios });
      say(
        `      round ${round + 1} (${order.join(', ')}): ` +
          Object.entries(ratios)
            .map(
              ([algorithm, r]) =>
                `${algorithm}/HS256 GET /user ${num(r.getUserRate * 100)}% (${num(r.getUserCpu * 100)}% by CPU per request), ` +
                `new tokens ${num(r.newTokenRate * 100)}%, login ${num(r.login * 100)}%`,
            )
            .join('; '),
      );
    }
    const medianOf = (pick) => median(result.rounds.map(pick));
    result.median = Object.fromEntries(
      ALGORITHMS.map((algorithm) => [
        algorithm,
        {
          getUserPerSecond: medianOf((r) => r.figures[algorithm].getUser.perSecond),
          getUserCpuUs: medianOf((r) => r.figures[algorithm].getUser.cpuPerRequestUs),
          newTokensPerSecond: medianOf((r) => r.figures[algorithm].newTokens.perSecond),
          newTokensCpuUs: medianOf((r) => r.figures[algorithm].newTokens.cpuPerRequestUs),
          sameShapePerSecond: medianOf((r) => r.figures[algorithm].newTokens.sameShape.perSecond),
          sameShapeCpuUs: medianOf((r) => r.figures[algorithm].newTokens.sameShape.cpuPerRequestUs),
          // Per round, then the median: what a token's first presentation adds in that process.
          newTokenCostUs: medianOf(
            (r) =>
              r.figures[algorithm].newTokens.cpuPerRequestUs -
              r.figures[algorithm].newTokens.sameShape.cpuPerRequestUs,
          ),
          // What this algorithm's signature check adds over HMAC's, the rest of the path being the same.
          newTokenBeyondHs256Us: medianOf(
            (r) => r.figures[algorithm].newTokens.cpuPerRequestUs - r.figures.HS256.newTokens.cpuPerRequestUs,
          ),
          loginPerSecond: medianOf((r) => r.figures[algorithm].login.perSecond),
          ...(algorithm === 'HS256'
            ? {}
            : {
                ratios: Object.fromEntries(
                  Object.keys(result.rounds[0].ratios[algorithm]).map((key) => [
                    key,
                    medianOf((r) => r.ratios[algorithm][key]),
                  ]),
                ),
              }),
        },
      ]),
    );
    return result;
  }

  /** One algorithm's figures of one round of (7), on a fresh service process and data directory. */
  async algorithmFigures(dir, tag, { algorithm, secret, password, problems }) {
    const { child, url } = await this.startService(dir, tag, {
      dataDir: join(dir, `${tag}-data`),
      secret,
      password,
      env: { JWT_ALGORITHM: algorithm },
    });
    const { warmup, duration } = this.options;
    const label = `(7) ${algorithm}`;
    const figures = {};
    try {
      const token = await login(url, 'bench', password);
      const signedWith = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')).alg;
      if (signedWith !== algorithm) {
        throw new Error(`JWT_ALGORITHM=${algorithm}: the service signed its token with ${signedWith}`);
      }
      figures.tokenLength = token.length;
      say(`  ${algorithm}: pid ${child.pid} on ${url}; its token is ${token.length} characters`);

      // The remembered-token path: one token, verified once, then looked up (as the service row).
      const getUser = await this.measure(child, {
        url: `${url}/user`,
        headers: { authorization: `Bearer ${token}` },
        connections: USER_CONNECTIONS,
      });
      problems.push(...loadProblems(`${label} GET /user`, getUser, [200]));
      figures.getUser = summarize(getUser);
      say(
        `      GET /user, one token, ${USER_CONNECTIONS} connections (${warmup} s warm-up + ${duration} s): ${describe(getUser)}; ` +
          `${num(figures.getUser.cpuPerRequestUs)} µs CPU/request`,
      );

      figures.newTokens = await this.measureNewTokens(child, url, { token, password, label, problems });

      const loginRun = await this.measure(child, {
        url: `${url}/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'bench', password }),
        connections: LOGIN_CONNECTIONS,
      });
      problems.push(...loadProblems(`${label} POST /login`, loginRun, [200]));
      figures.login = summarize(loginRun);
      say(
        `      POST /login, ${LOGIN_CONNECTIONS} connections (${warmup} s warm-up + ${duration} s): ${describe(loginRun, 'logins/s')}`,
      );
    } catch (error) {
      error.tail ??= await child.tail();
      throw error;
    } finally {
      const exit = await this.stop(child);
      if (!this.interrupted && exit.code !== 0) {
        problems.push(
          `${label} service exited ${exit.signal ?? exit.code} on SIGTERM (log: ${child.logFile})`,
        );
      }
    }
    return figures;
  }

  /**
   * GET /user where every request carries a token the service has never been shown: each one
   * takes the full path (header, key by kid, signature check, decoding) before it is remembered.
   * The tokens are minted beforehand by MINT_CHAINS logins and a chain of refreshes each (a
   * refresh signs a new access token without argon2's cost), then sent once each, in order, by
   * one counter shared by all connections, for a fixed number of requests instead of a duration.
   * Beside it, a control of the same shape (as many requests, fresh connections, setupRequest)
   * with the one remembered `token`: what the new tokens cost beyond it is theirs alone.
   */
  async measureNewTokens(child, url, { token, password, label, problems }) {
    const count = this.options.quick ? NEW_TOKENS.quick : NEW_TOKENS.full;
    const warm = Math.ceil(count / 4);
    const minting = performance.now();
    const tokens = await mintTokens(url, password, warm + count);
    const mintSeconds = (performance.now() - minting) / 1000;
    this.checkInterrupted();
    await this.settle();
    await this.countedRun(child, url, tokens.slice(0, warm), warm);
    const sameShape = await this.countedRun(child, url, [token], count);
    const newTokens = await this.countedRun(child, url, tokens.slice(warm), count);
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
  async countedRun(child, url, tokens, amount) {
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
    const run = await runLoad(spec, this.running);
    this.checkInterrupted();
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

  async service(dir) {
    const secret = randomBytes(48).toString('base64');
    const password = randomBytes(18).toString('base64url');
    const { child, url } = await this.startService(dir, 'service', {
      dataDir: join(dir, 'service-data'),
      secret,
      password,
    });
    say(
      `service: pid ${child.pid} on ${url} (${SERVICE_SETTINGS.split(', fresh')[0]}, log in ${child.logFile})`,
    );
    const result = { problems: [] };
    try {
      await sleep(IDLE_SETTLE_MS);
      result.idleRssKb = await child.memoryKb();
      say(`  idle RSS ${megabytes(result.idleRssKb)}`);
      const token = await login(url, 'bench', password);
      const auth = { authorization: `Bearer ${token}` };
      const userSpec = { url: `${url}/user`, headers: auth, connections: USER_CONNECTIONS };
      const loginBody = JSON.stringify({ name: 'bench', password });
      const loginSpec = {
        url: `${url}/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: loginBody,
      };
      const { warmup, duration } = this.options;

      say(`  (1) GET /user, ${USER_CONNECTIONS} connections (${warmup} s warm-up + ${duration} s)`);
      result.getUser = await this.measure(child, userSpec);
      result.problems.push(...loadProblems('service GET /user', result.getUser, [200]));
      say(`      ${describe(result.getUser)}; RSS now ${megabytes(result.getUser.rssAfterKb)}`);

      say(
        `  (2) POST /login, valid credentials, ${LOGIN_CONNECTIONS} connections (${warmup} s warm-up + ${duration} s)`,
      );
      result.login = await this.measure(child, { ...loginSpec, connections: LOGIN_CONNECTIONS });
      result.problems.push(...loadProblems('service POST /login', result.login, [200]));
      say(`      ${describe(result.login, 'logins/s')}`);

      say(
        `  (3) GET /user at ${USER_CONNECTIONS} connections during a flood of valid logins at ${FLOOD_CONNECTIONS} (${warmup} s warm-up + ${duration} s)`,
      );
      const both = (seconds) =>
        Promise.all([
          runLoad({ ...userSpec, duration: seconds }, this.running),
          // The flood is the load, not a figure with a deadline: while GET /user saturates the core,
          // hashing runs at nice 15 and a queued login may wait longer than autocannon's default
          // 10 s (its latency is reported either way).
          runLoad(
            { ...loginSpec, connections: FLOOD_CONNECTIONS, duration: seconds, timeout: FLOOD_TIMEOUT_S },
            this.running,
          ),
        ]);
      await this.settle();
      if (warmup > 0) {
        await both(warmup);
        this.checkInterrupted();
      }
      const before = await cpuSnapshot(child);
      const [user, flood] = await both(duration);
      this.checkInterrupted();
      result.isolation = { user, flood, ...(await cpuSince(before, child)) };
      // With --quick's 2 s window, starved hashing (nice 15 behind a saturated core) may finish no
      // login at all: by design, not a fault. A full run must see logins progress.
      const floodProblems = loadProblems('service login flood', flood, [200]).filter(
        (problem) => !(this.options.quick && problem.endsWith('no response at all')),
      );
      result.problems.push(
        ...loadProblems('service GET /user during the flood', user, [200]),
        ...floodProblems,
      );
      say(
        `      GET /user ${describe(user)}; flood ${describe(flood, 'logins/s')}; ` +
          `server CPU ${num(result.isolation.serverCpuPercent)}%, other processes' CPU ${num(result.isolation.otherCpuPercent)}%`,
      );

      result.peakRssKb = await child.memoryKb('VmHWM');
    } catch (error) {
      error.tail ??= await child.tail();
      throw error;
    } finally {
      const exit = await this.stop(child);
      if (!this.interrupted && exit.code !== 0) {
        result.problems.push(`service exited ${exit.signal ?? exit.code} on SIGTERM (log: ${child.logFile})`);
      }
    }
    result.log = await logStats(child.logFile);
    say(`  request log: ${num(result.log.bytes / 1e6, 1)} MB, ${num(result.log.lines)} lines`);
    return result;
  }

  /**
   * (8) The hot path (issue 15, bench/lib/hot-path.mjs): GET /user on fresh services with every
   * protection on, the request log and metrics on ("production"), then the same build with the
   * request log off, with metrics off and with tracing on, and the node:http ceiling, in
   * alternating rounds, all driven by wrk. Each round's figures are read as ratios within it.
   */
  async hotPath(dir) {
    const wrk = findWrk();
    if (wrk === null) {
      say('(8) hot path: skipped, wrk not found (apt-get install -y wrk)');
      return { skipped: 'wrk not found (apt-get install -y wrk)', problems: [] };
    }
    const metrics = schemaKnows(ROOT, 'METRICS_PORT');
    const tracing = schemaKnows(ROOT, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    const ceiling = !this.options.skipPeers && existsSync(join(PEERS, 'raw-node-limit', 'server.mjs'));
    const sink = tracing ? await startTraceSink() : null;
    const variants = [
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
    const rounds = this.options.quick ? 1 : INTERLEAVED_ROUNDS;
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
          this.checkInterrupted();
          figures[variant.key] =
            variant.key === 'ceiling' || variant.floor
              ? await this.hotPathPeer(dir, wrk, variant, round)
              : await this.hotPathService(dir, wrk, variant, round, sink);
          const run = figures[variant.key];
          result.problems.push(...wrkProblems(`(8) round ${round + 1} ${variant.key}`, run));
          if (run.scrapes && run.scrapes.failed > 0) {
            result.problems.push(
              `(8) round ${round + 1} ${variant.key}: ${run.scrapes.failed} scrapes failed`,
            );
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

  async hotPathService(dir, wrk, variant, round, sink) {
    const secret = randomBytes(48).toString('base64');
    const password = randomBytes(18).toString('base64url');
    const metricsPort = variant.metrics ? await freePort() : null;
    const env = {
      ...(variant.log ? {} : { LOG_LEVEL: 'warn' }),
      ...(metricsPort === null ? {} : { METRICS_PORT: String(metricsPort) }),
      ...(variant.tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_SERVICE_NAME: 'bench' } : {}),
    };
    const label = `hot-path-${variant.key}-${round + 1}`;
    const { child, url } = await this.startService(dir, label, {
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
      await this.settle();
      const scrapes =
        metricsPort === null ? null : scrapeWhile(`http://${HOST}:${metricsPort}/metrics`, scraping.signal);
      const run = await measureWithWrk(
        wrk,
        child,
        { url: `${url}/user`, headers: { authorization: `Bearer ${token}` }, connections: USER_CONNECTIONS },
        this.options,
        this.running,
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
      await this.stop(child);
    }
  }

  /** The ceiling or a floor (bench/floors/), GET /user with the ceiling's HS256 check, under wrk. */
  async hotPathPeer(dir, wrk, variant, round) {
    const { url, spawnSpec, getToken } = await hs256Peer(dir, variant.floor ?? 'ceiling', {
      label: variant.label,
      logName: `hot-path-${variant.key}-${round + 1}`,
    });
    const child = await this.startServer(spawnProcess({ ...spawnSpec, pin: this.pin }), url);
    try {
      await sleep(IDLE_SETTLE_MS);
      const idleRssKb = await child.memoryKb();
      const token = await getToken();
      await this.settle();
      const run = await measureWithWrk(
        wrk,
        child,
        { url: `${url}/user`, headers: { authorization: `Bearer ${token}` }, connections: USER_CONNECTIONS },
        this.options,
        this.running,
      );
      run.idleRssKb = idleRssKb;
      run.peakRssKb = await child.memoryKb('VmHWM');
      return run;
    } finally {
      await this.stop(child);
    }
  }

  async coldStarts(dir) {
    const count = this.options.coldStarts;
    say(`  (4) cold start: spawn to the first 200 of GET /user, ${count} start${count === 1 ? '' : 's'}`);
    const secret = randomBytes(48).toString('base64');
    const password = randomBytes(18).toString('base64url');
    const template = join(dir, 'cold-template');
    // One data directory with the user and a live session, and a token for it, made beforehand.
    const { child, url } = await this.startService(dir, 'cold-template', {
      dataDir: template,
      secret,
      password,
    });
    let token;
    try {
      token = await login(url, 'bench', password);
      const status = await probe(`${url}/user`, { authorization: `Bearer ${token}` });
      if (status !== 200) {
        throw new Error(`GET /user with the fresh token answered ${status}`);
      }
    } catch (error) {
      error.tail ??= await child.tail();
      await this.stop(child);
      throw error;
    }
    // SIGTERM closes the database cleanly, so the copies start from a consistent file.
    const exit = await this.stop(child);
    if (!this.interrupted && exit.code !== 0) {
      throw new Error(`the template service exited ${exit.signal ?? exit.code} on SIGTERM`);
    }
    const samplesMs = [];
    const rssKb = [];
    const starts = [];
    for (let i = 1; i <= count; i++) {
      this.checkInterrupted();
      const dataDir = join(dir, `cold-${i}`);
      await cp(template, dataDir, { recursive: true });
      await this.settle();
      const sample = await withBuild(async () => {
        const port = await freePort();
        const busyBefore = await machineBusySeconds();
        const ownBefore = process.cpuUsage();
        const spawnedAt = performance.now();
        const started = this.track(
          spawnService({
            label: `cold-${i}`,
            env: serviceEnv({ port, dataDir, secret, password }),
            cwd: dir,
            logFile: join(dir, `cold-${i}.log`),
            pin: this.pin,
          }),
        );
        try {
          await waitForHttp(started, `http://${HOST}:${port}/user`, {
            headers: { authorization: `Bearer ${token}` },
            wantStatus: 200,
            intervalMs: 2,
          });
          const elapsed = performance.now() - spawnedAt;
          const cpuSeconds = await processCpuSeconds(started.pid);
          const own = process.cpuUsage(ownBefore);
          const others =
            (await machineBusySeconds()) - busyBefore - cpuSeconds - (own.user + own.system) / 1e6;
          return {
            elapsed,
            rss: await started.memoryKb(),
            cpuSeconds,
            otherCpuPercent: Math.max(0, (others / (elapsed / 1000)) * 100),
          };
        } catch (error) {
          error.tail = await started.tail();
          throw error;
        } finally {
          await this.stop(started);
        }
      });
      samplesMs.push(sample.elapsed);
      rssKb.push(sample.rss);
      starts.push({
        ms: sample.elapsed,
        rssKb: sample.rss,
        cpuSeconds: sample.cpuSeconds,
        otherCpuPercent: sample.otherCpuPercent,
      });
      say(
        `      start ${i}: ${ms(sample.elapsed)}, using ${num(sample.cpuSeconds, 2)} s of CPU; RSS at the first 200 ${megabytes(sample.rss)}; ` +
          `other processes ${num(sample.otherCpuPercent)}% of a CPU`,
      );
    }
    const medianMs = median(samplesMs);
    const rssAtFirstKb = [...rssKb].sort((a, b) => a - b)[Math.floor(rssKb.length / 2)];
    return { medianMs, samplesMs, rssAtFirstKb, starts };
  }

  /**
   * (5) and (6): GET /user on PostgreSQL (+ Redis when the service knows REDIS_URL and Redis
   * answers), one instance pinned like the service, then two, one per CPU, on the same fresh
   * database (+ key prefix), dropped (deleted) after. Skipped, with the reason, without PostgreSQL.
   */
  async scaleOut(dir) {
    const postgres = await postgresStatus();
    if (!postgres.ok) {
      say(`(5) and (6) GET /user on PostgreSQL: skipped, ${postgres.reason}`);
      return { skipped: postgres.reason, problems: [] };
    }
    const redis = await redisStatus(ROOT);
    const label = redis.used ? 'PostgreSQL + Redis' : 'PostgreSQL alone';
    say(
      `${label}: ${postgres.version}${redis.used ? `, ${redis.version}, key prefix ${redis.prefix}` : ` (no Redis: ${redis.reason})`}`,
    );
    const database = await createDatabase();
    say(`  fresh database ${database.name} (dropped after these figures)`);
    const result = {
      label,
      postgres: postgres.version,
      redis: redis.used
        ? { used: true, version: redis.version, prefix: redis.prefix }
        : { used: false, reason: redis.reason },
      problems: [],
    };
    const env = {
      DATABASE_URL: database.url,
      ...(redis.used ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix } : {}),
    };
    const secret = randomBytes(48).toString('base64');
    const password = randomBytes(18).toString('base64url');
    try {
      result.single = await this.scaleOutSingle(dir, label, { secret, password, env }, result.problems);
      result.pair = await this.scaleOutPair(dir, label, { secret, password, env }, result.problems);
      result.interleaved = await this.scaleOutInterleaved(
        dir,
        label,
        { secret, password, env },
        result.problems,
      );
    } finally {
      // Also after a failure or an interrupt: nothing of the run is left on the servers.
      try {
        await dropDatabase(database.name);
        if (redis.used) {
          await clearRedisPrefix(redis.url, redis.prefix);
        }
      } catch (error) {
        say(
          `  could not clean up (database ${database.name}, Redis prefix ${redis.prefix}): ${error.message}`,
        );
      }
    }
    return result;
  }

  async scaleOutSingle(dir, label, { secret, password, env }, problems) {
    const { child, url } = await this.startService(dir, 'postgres-single', {
      dataDir: join(dir, 'postgres-single-data'),
      secret,
      password,
      env,
    });
    say(`  service on ${label}: pid ${child.pid} on ${url} (log in ${child.logFile})`);
    const result = {};
    try {
      await sleep(IDLE_SETTLE_MS);
      result.idleRssKb = await child.memoryKb();
      const token = await login(url, 'bench', password);
      const { warmup, duration } = this.options;
      say(
        `  (5) GET /user on ${label}, ${USER_CONNECTIONS} connections (${warmup} s warm-up + ${duration} s); idle RSS ${megabytes(result.idleRssKb)}`,
      );
      result.getUser = await this.measure(child, {
        url: `${url}/user`,
        headers: { authorization: `Bearer ${token}` },
        connections: USER_CONNECTIONS,
      });
      problems.push(...loadProblems(`${label} GET /user`, result.getUser, [200]));
      result.peakRssKb = await child.memoryKb('VmHWM');
      say(
        `      ${describe(result.getUser)}; RSS now ${megabytes(result.getUser.rssAfterKb)}, peak ${megabytes(result.peakRssKb)}`,
      );
    } catch (error) {
      error.tail ??= await child.tail();
      throw error;
    } finally {
      const exit = await this.stop(child);
      if (!this.interrupted && exit.code !== 0) {
        problems.push(
          `${label} service exited ${exit.signal ?? exit.code} on SIGTERM (log: ${child.logFile})`,
        );
      }
    }
    return result;
  }

  /**
   * The embedded default and one instance on PostgreSQL (+ Redis) in alternating rounds (ABBA...),
   * each on a fresh start: rows measured minutes apart on a shared machine differ by more than the
   * gap the target asks about, and one long-lived process's young generation is sized by its own
   * history (docs/performance.md). Reports each round's ratio of req/s and of server CPU per request.
   */
  async scaleOutInterleaved(dir, label, { secret, password, env }, problems) {
    const rounds = this.options.quick ? 1 : INTERLEAVED_ROUNDS;
    say(`  (5b) GET /user, the embedded default and ${label} one after the other, ${rounds} round(s)`);
    const sides = [
      { name: 'embedded', env: {} },
      { name: 'scaled', env },
    ];
    const result = { rounds: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      const figures = {};
      for (const side of order) {
        const tag = `interleaved-${round + 1}-${side.name}`;
        const { child, url } = await this.startService(dir, tag, {
          dataDir: join(dir, `${tag}-data`),
          secret,
          password,
          env: side.env,
        });
        try {
          const token = await login(url, 'bench', password);
          const run = await this.measure(child, {
            url: `${url}/user`,
            headers: { authorization: `Bearer ${token}` },
            connections: USER_CONNECTIONS,
          });
          problems.push(...loadProblems(`${label} interleaved ${side.name} GET /user`, run, [200]));
          figures[side.name] = {
            perSecond: run.perSecond,
            p99Ms: run.latency.p99Ms,
            serverCpuPercent: run.serverCpuPercent,
            otherCpuPercent: run.otherCpuPercent,
            // Server CPU per request, in µs: what the rate is once the core is the only limit.
            cpuPerRequestUs: (run.serverCpuPercent * 1e4) / run.perSecond,
          };
        } finally {
          await this.stop(child);
        }
      }
      const { embedded, scaled } = figures;
      const entry = {
        ...figures,
        rateRatio: scaled.perSecond / embedded.perSecond,
        cpuRatio: embedded.cpuPerRequestUs / scaled.cpuPerRequestUs,
      };
      result.rounds.push(entry);
      say(
        `      round ${round + 1}: embedded ${num(embedded.perSecond)} req/s (${num(embedded.cpuPerRequestUs)} µs CPU/request), ` +
          `${label} ${num(scaled.perSecond)} req/s (${num(scaled.cpuPerRequestUs)} µs): ${num(entry.rateRatio * 100)}% of the rate, ` +
          `${num(entry.cpuRatio * 100)}% by CPU per request`,
      );
    }
    result.rateRatio = median(result.rounds.map((r) => r.rateRatio));
    result.cpuRatio = median(result.rounds.map((r) => r.cpuRatio));
    return result;
  }

  async scaleOutPair(dir, label, { secret, password, env }, problems) {
    // One instance per CPU; without pinning (no taskset, one CPU) they share whatever there is.
    const pins = this.pin === null ? [null, null] : [SERVER_CPU, GENERATOR_CPU];
    const started = [];
    const result = { pins };
    try {
      for (const [i, pin] of pins.entries()) {
        started.push(
          await this.startService(dir, `postgres-pair-${i + 1}`, {
            dataDir: join(dir, `postgres-pair-${i + 1}-data`),
            secret,
            password,
            env,
            pin,
          }),
        );
      }
      const children = started.map(({ child }) => child);
      say(
        `  two services on ${label}: ${started.map(({ child, url }, i) => `pid ${child.pid} on ${url}${pins[i] === null ? '' : ` (CPU ${pins[i]})`}`).join(', ')}`,
      );
      await sleep(IDLE_SETTLE_MS);
      result.idleRssKb = await Promise.all(children.map((child) => child.memoryKb()));
      // One login; its token must open the other instance too (same secret, same sessions).
      const token = await login(started[0].url, 'bench', password);
      const auth = { authorization: `Bearer ${token}` };
      for (const { url } of started) {
        const status = await probe(`${url}/user`, auth);
        if (status !== 200) {
          throw new Error(`GET ${url}/user with the other instance's token answered ${status}`);
        }
      }
      const { warmup, duration } = this.options;
      const generatorCpus = this.pin === null ? null : `${SERVER_CPU},${GENERATOR_CPU}`;
      say(
        `  (6) GET /user on both, ${USER_CONNECTIONS} connections each (${warmup} s warm-up + ${duration} s)` +
          (generatorCpus === null ? '' : `, load generator on CPUs ${generatorCpus}`),
      );
      result.getUser = await this.measureTogether(
        children,
        started.map(({ url }) => ({ url: `${url}/user`, headers: auth, connections: USER_CONNECTIONS })),
        { generatorCpus },
      );
      result.getUser.instances.forEach((run, i) =>
        problems.push(...loadProblems(`${label} GET /user, instance ${i + 1} of 2`, run, [200])),
      );
      result.peakRssKb = await Promise.all(children.map((child) => child.memoryKb('VmHWM')));
      say(
        `      together ${describe(result.getUser)}; ` +
          result.getUser.instances
            .map(
              (run, i) =>
                `instance ${i + 1}: ${num(run.perSecond)} req/s, CPU ${num(run.serverCpuPercent)}%, peak RSS ${megabytes(result.peakRssKb[i])}`,
            )
            .join('; '),
      );
    } catch (error) {
      error.tail ??= (await Promise.all(started.map(({ child }) => child.tail()))).join('\n---\n');
      throw error;
    } finally {
      for (const { child } of started) {
        const exit = await this.stop(child);
        if (!this.interrupted && exit.code !== 0) {
          problems.push(
            `${child.label} exited ${exit.signal ?? exit.code} on SIGTERM (log: ${child.logFile})`,
          );
        }
      }
    }
    return result;
  }

  /** A peer: start, idle RSS, a token, GET /user measured like the service's, stop. */
  async peer(label, { spawnSpec, url, getToken }) {
    const child = await this.startServer(spawnProcess({ ...spawnSpec, pin: this.pin }), url);
    say(`${label}: pid ${child.pid} on ${url}`);
    const result = { problems: [] };
    try {
      await sleep(IDLE_SETTLE_MS);
      result.idleRssKb = await child.memoryKb();
      const token = await getToken();
      const status = await probe(`${url}/user`, { authorization: `Bearer ${token}` });
      if (status !== 200) {
        throw new Error(`${label}: GET /user with its token answered ${status}`);
      }
      const { warmup, duration } = this.options;
      say(`  GET /user, ${USER_CONNECTIONS} connections (${warmup} s warm-up + ${duration} s)`);
      result.getUser = await this.measure(child, {
        url: `${url}/user`,
        headers: { authorization: `Bearer ${token}` },
        connections: USER_CONNECTIONS,
      });
      result.problems.push(...loadProblems(`${label} GET /user`, result.getUser, [200]));
      say(
        `      ${describe(result.getUser)}; idle RSS ${megabytes(result.idleRssKb)}, now ${megabytes(result.getUser.rssAfterKb)}`,
      );
    } catch (error) {
      error.tail ??= await child.tail();
      throw error;
    } finally {
      await this.stop(child);
    }
    return result;
  }

  async ceiling(dir) {
    return this.peer('node:http ceiling', await hs256Peer(dir, 'ceiling'));
  }

  /**
   * A floor (bench/floors/): Fastify alone, or NestJS on Fastify with one guard, answering
   * GET /user with the ceiling's check. What the stack costs before the service does anything.
   */
  async floor(dir, name, label) {
    return this.peer(label, await hs256Peer(dir, name, { label }));
  }

  async fastapi(dir) {
    const port = await freePort();
    const url = `http://${HOST}:${port}`;
    return this.peer('FastAPI tutorial app', {
      url,
      spawnSpec: {
        label: 'FastAPI tutorial app',
        command: 'bash',
        args: [join(PEERS, 'seed-fastapi', 'run.sh'), String(port)],
        env: { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp' },
        cwd: dir,
        logFile: join(dir, 'fastapi.log'),
      },
      // Its own login (the tutorial's admin/1234): the token it issues, checked by its middleware.
      getToken: () => login(url, 'admin', '1234'),
    });
  }
}

/** The project's Prettier style (CI runs `prettier --check .`), when Prettier is installed. */
async function formatted(file, text) {
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(text, { ...config, filepath: file });
  } catch {
    return text;
  }
}

async function postJson(url, path, body) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) {
    throw new Error(`POST ${url}${path}: ${response.status} ${text}`);
  }
  return JSON.parse(text);
}

async function login(url, name, password) {
  return (await postJson(url, '/login', { name, password })).token;
}

/**
 * `count` distinct, valid access tokens of the bench user: MINT_CHAINS logins, then refreshes
 * on each chain (a spent refresh token ends nothing here: each refresh spends the last one).
 */
async function mintTokens(url, password, count) {
  const tokens = [];
  const chain = async () => {
    let pair = await postJson(url, '/login', { name: 'bench', password });
    tokens.push(pair.token);
    while (tokens.length < count) {
      pair = await postJson(url, '/refresh', { refreshToken: pair.refreshToken });
      tokens.push(pair.token);
    }
  };
  await Promise.all(Array.from({ length: MINT_CHAINS }, chain));
  return tokens.slice(0, count);
}

/** What the report keeps of a run of (7); CPU per request in µs as in (5b). */
function summarize(run) {
  return {
    perSecond: run.perSecond,
    latency: run.latency,
    serverCpuPercent: run.serverCpuPercent,
    clientCpuPercent: run.clientCpuPercent,
    otherCpuPercent: run.otherCpuPercent,
    cpuPerRequestUs: (run.serverCpuPercent * 1e4) / run.perSecond,
  };
}

function describe(run, unit = 'req/s') {
  const { latency } = run;
  const cpu =
    run.serverCpuPercent === undefined
      ? ''
      : `, CPU: server ${num(run.serverCpuPercent)}%, load generator ${num(run.clientCpuPercent)}%, other processes ${num(run.otherCpuPercent)}%`;
  return `${num(run.perSecond, unit === 'req/s' ? 0 : 1)} ${unit}, p50 ${ms(latency.p50Ms)}, p99 ${ms(latency.p99Ms)}${cpu}`;
}

async function logStats(file) {
  const { size } = await stat(file);
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
      lines++;
    }
  }
  return { bytes: size, lines };
}

/** Whether run.sh's interpreter has the modules; the reason to skip otherwise. */
function pythonReady() {
  if (!existsSync(PYTHON)) {
    return { ok: false, reason: `${PYTHON} not found` };
  }
  const check = spawnSync(PYTHON, ['-c', `import ${PYTHON_MODULES.join(', ')}`], { encoding: 'utf8' });
  if (check.status !== 0) {
    return { ok: false, reason: (check.stderr.trim().split('\n').pop() ?? 'import failed').trim() };
  }
  const versions = spawnSync(
    PYTHON,
    [
      '-c',
      'import sys, fastapi, uvicorn; print(f"Python {sys.version.split()[0]}, FastAPI {fastapi.__version__}, uvicorn {uvicorn.__version__}")',
    ],
    { encoding: 'utf8' },
  );
  return { ok: true, version: versions.stdout.trim() };
}

function notesFor(r) {
  const notes = [];
  const c = r.peers.ceiling?.getUser;
  const wrkCeiling = (r.hotPath?.rounds ?? []).map((round) => round.ceiling).filter(Boolean);
  const wrkBusy = wrkCeiling.filter((run) => run.generatorCpuPercent >= 90);
  if (wrkBusy.length > 0) {
    notes.push(
      `wrk used ${wrkBusy.map((run) => `${num(run.generatorCpuPercent)}%`).join(', ')} of its CPU during (8)'s ceiling run(s): ` +
        'the generator may be what limits them, and the service/ceiling ratio is then flattering.',
    );
  }
  if (c && c.clientCpuPercent >= 90) {
    notes.push(
      `The load generator used ${num(c.clientCpuPercent)}% of its CPU during the ceiling run while the ceiling used ${num(c.serverCpuPercent)}% of its own: ` +
        'one autocannon process may be what limits the ceiling figure, which is then a lower bound (and the service/ceiling ratio flattering).',
    );
  }
  const noise = [
    ...(r.argon2?.runs ?? []).map((run, i) => [`bare argon2 (run ${i + 1})`, run.otherCpuPercent]),
    ['service GET /user', r.service?.getUser?.otherCpuPercent],
    ['service POST /login', r.service?.login?.otherCpuPercent],
    ['isolation', r.service?.isolation?.otherCpuPercent],
    [`${r.scaleOut?.label} GET /user, one instance`, r.scaleOut?.single?.getUser?.otherCpuPercent],
    [`${r.scaleOut?.label} GET /user, two instances`, r.scaleOut?.pair?.getUser?.otherCpuPercent],
    ['ceiling GET /user', r.peers.ceiling?.getUser?.otherCpuPercent],
    ['FastAPI GET /user', r.peers.fastapi?.getUser?.otherCpuPercent],
    ['Fastify floor GET /user', r.peers.fastifyFloor?.getUser?.otherCpuPercent],
    ['NestJS floor GET /user', r.peers.nestFloor?.getUser?.otherCpuPercent],
    ...(r.service?.coldStart?.starts ?? []).map((start, i) => [`cold start ${i + 1}`, start.otherCpuPercent]),
    ...(r.hotPath?.rounds ?? []).flatMap((round, i) =>
      Object.entries(round).map(([variant, f]) => [`(8) round ${i + 1} ${variant}`, f.otherCpuPercent]),
    ),
    ['(7) bare sign and verify', r.algorithms?.bare?.otherCpuPercent],
    ...(r.algorithms?.rounds ?? []).flatMap((round, i) =>
      Object.entries(round.figures).flatMap(([algorithm, f]) => [
        [`(7) round ${i + 1} ${algorithm} GET /user`, f.getUser.otherCpuPercent],
        [`(7) round ${i + 1} ${algorithm} new tokens`, f.newTokens.otherCpuPercent],
        [`(7) round ${i + 1} ${algorithm} POST /login`, f.login.otherCpuPercent],
      ]),
    ),
  ].filter(([, value]) => value !== undefined && value !== null);
  const noisy = noise.filter(([, value]) => value >= NOISY_PERCENT);
  notes.push(
    noisy.length === 0
      ? `The machine was quiet: other processes used under ${NOISY_PERCENT}% of a CPU during every figure.`
      : `The machine was not quiet: other processes used ${noisy.map(([name, value]) => `${num(value)}% of a CPU during ${name}`).join(', ')}; those figures are pessimistic.`,
  );
  const steal = (r.hotPath?.rounds ?? []).flatMap((round, i) =>
    Object.entries(round)
      .filter(([, f]) => (f.stealCpuPercent ?? 0) >= NOISY_PERCENT)
      .map(([variant, f]) => `${num(f.stealCpuPercent)}% during (8) round ${i + 1} ${variant}`),
  );
  if (steal.length > 0) {
    notes.push(
      `The hypervisor took CPU time from this VM (steal, which no process here sees): ${steal.join(', ')}; those figures are pessimistic, and ratios within a round only partly cancel it.`,
    );
  }
  if (r.peers.fastapi?.getUser || r.peers.ceiling?.getUser) {
    notes.push(
      'The peers and floors log nothing per request (the FastAPI app runs with --log-level warning, the others have no logger); the service writes its production JSON request log.',
    );
  }
  return notes;
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
  const command = commandLine(options.args);
  const bench = new Bench(options, pinning.server);
  const onSignal = (signal) => {
    if (!bench.interrupted) {
      console.error(`\n${signal}: stopping the load and the servers…`);
      bench.interrupt();
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
    notes: [],
    problems: [],
  };
  try {
    if (!options.hotPathOnly) {
      // Twice, around the service's figures: one 10 s sample of it varies by +-10% here, too much
      // to read a 90% target against; the login is read against the faster of the two (strict).
      const argonBefore = await bench.argon2('before the service');
      say('');
      r.service = await bench.service(dir);
      r.service.coldStart = await bench.coldStarts(dir);
      r.problems.push(...r.service.problems);
      say(`      median ${ms(r.service.coldStart.medianMs)}`);
      say('');
      r.scaleOut = await bench.scaleOut(dir);
      r.problems.push(...r.scaleOut.problems);
      say('');
      const argonAfter = await bench.argon2('after the service');
      const fastest = argonAfter.perSecond > argonBefore.perSecond ? argonAfter : argonBefore;
      r.argon2 = {
        ...fastest,
        runs: [argonBefore, argonAfter].map(({ perSecond, latency, otherCpuPercent }) => ({
          perSecond,
          latency,
          otherCpuPercent,
        })),
      };
      say('');
      r.algorithms = await bench.algorithms(dir);
      r.problems.push(...r.algorithms.problems);
      say('');

      if (options.skipPeers) {
        r.peers.ceiling = { skipped: '--skip-peers' };
        r.peers.fastapi = { skipped: '--skip-peers' };
        r.peers.fastifyFloor = { skipped: '--skip-peers' };
        r.peers.nestFloor = { skipped: '--skip-peers' };
      } else if (!existsSync(PEERS)) {
        r.peers.ceiling = { skipped: `${PEERS} not found` };
        r.peers.fastapi = { skipped: `${PEERS} not found` };
        r.peers.fastifyFloor = { skipped: 'no ceiling to read it against' };
        r.peers.nestFloor = { skipped: 'no ceiling to read it against' };
        say(`peers: ${PEERS} not found, measuring the service alone`);
      } else {
        r.peers.ceiling = await bench.ceiling(dir);
        r.problems.push(...r.peers.ceiling.problems);
        say('');
        r.peers.fastifyFloor = await bench.floor(dir, 'fastify', 'floor: Fastify alone');
        r.problems.push(...r.peers.fastifyFloor.problems);
        say('');
        r.peers.nestFloor = await bench.floor(dir, 'nest', 'floor: NestJS on Fastify, one guard');
        r.problems.push(...r.peers.nestFloor.problems);
        say('');
        const python = pythonReady();
        if (python.ok) {
          machine.python = python.version;
          r.peers.fastapi = await bench.fastapi(dir);
          r.problems.push(...r.peers.fastapi.problems);
        } else {
          r.peers.fastapi = { skipped: `${PYTHON}: ${python.reason}` };
          say(
            `FastAPI tutorial app: skipped, ${PYTHON} cannot import ${PYTHON_MODULES.join(', ')} (${python.reason}).`,
          );
          say(`  To include it, install Debian's packages (as root): ${APT_INSTALL}`);
        }
        say('');
      }
    }
    r.hotPath = await bench.hotPath(dir);
    r.problems.push(...r.hotPath.problems);
    say('');
  } catch (error) {
    const interrupted = bench.interrupted;
    console.error(`bench aborted: ${error instanceof Error ? error.message : String(error)}`);
    if (error?.tail && !interrupted) {
      console.error(`last output of the process:\n${error.tail}`);
    }
    bench.interrupt();
    await rm(dir, { recursive: true, force: true });
    return interrupted ? 130 : 1;
  } finally {
    for (const child of bench.children) {
      await child.stop();
    }
  }
  await rm(dir, { recursive: true, force: true });

  r.targets = evaluateTargets(r);
  r.notes = notesFor(r);
  const report = markdown(r);
  await mkdir(RESULTS, { recursive: true });
  const base = join(
    RESULTS,
    `${r.startedAt.replace(/\.\d+Z$/, 'Z').replaceAll(':', '-')}${options.quick ? '-quick' : ''}`,
  );
  await writeFile(`${base}.json`, await formatted(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`));
  await writeFile(`${base}.md`, await formatted(`${base}.md`, `${report}\n`));
  // The chart of the run; a full run's is also latest.svg, the one docs/performance.md shows.
  const svg = chartSvg(
    chartRows(r, hotPathSummary(r.hotPath)),
    `npm run bench, ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, ${r.machine.commit}`,
  );
  await writeFile(`${base}.svg`, svg);
  if (!options.quick && !options.hotPathOnly) {
    await writeFile(join(RESULTS, 'latest.svg'), svg);
  }

  say(report);
  say('');
  for (const target of r.targets) {
    say(
      `${target.met === null ? 'n/a   ' : target.met ? 'MET   ' : 'MISSED'}  ${target.target}: ${target.measured}`,
    );
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
