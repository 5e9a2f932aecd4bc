// Soak: a bounded load on loopback against the built service (`npm run soak`, which builds first).
//
// Starts the built service (dist/bundle/main.js with start:prod's Node.js flags, or --node-flags)
// in production mode on a fresh data directory and logs in once. Then two autocannon clients run
// at the same time: GET /user with the token at 50 connections, and a flood of POST /login with
// wrong passwords at 10 connections; first for --warmup seconds (5), then for --duration seconds
// (20), the run that is reported. It prints what each client saw and the server's resident memory,
// checks the expectations (no 5xx, no socket errors or timeouts, only 400/429 on the flood, only
// 200 on GET /user, RSS growth under 50 MB, peak RSS (VmHWM) within --max-rss, 256 MB by default)
// and exits 1 if any fails. The server is always stopped and the data directory removed, also on
// failure or Ctrl-C.
//
// Memory. Even after a full garbage collection, a cold process grows by some 50 MB in its first
// seconds under this load and then holds there: V8 sizes its heap up, and each hashing thread that
// has run an argon2 verify (m = 19 MiB) keeps a malloc arena of about that size. Between
// collections RSS also swings by up to ~100 MB. Neither is a leak, so the baseline is taken after
// the warm-up (--warmup 0 takes it cold), and both readings follow a full collection: the server
// runs with --expose-gc and a one-line preload that calls gc() on SIGUSR2. Raw readings are shown.
//
// Usage: node scripts/soak.mjs [--duration SECONDS] [--warmup SECONDS] [--max-rss MB] [--node-flags "FLAGS"]
// --max-rss fails the run when the service's peak RSS (VmHWM) is over MB (0: only reported).
// --node-flags runs the service with these Node.js flags instead of start:prod's, to try a tuning.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { MAIN, productionNodeFlags, spawnService } from './lib/service-process.mjs';

const GC_HOOK = 'data:text/javascript,process.on("SIGUSR2",()=>globalThis.gc())';
const HOST = '127.0.0.1';
const USER_CONNECTIONS = 50;
const LOGIN_CONNECTIONS = 10;
const MAX_RSS_GROWTH_MB = 50;
/** The memory limit many container platforms start a service with (issue 15): the default budget. */
const MAX_RSS_MB = 256;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      'max-rss': { type: 'string', default: String(MAX_RSS_MB) },
      'node-flags': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(
      `Usage: node scripts/soak.mjs [--duration SECONDS (20)] [--warmup SECONDS (5), 0 for none] [--max-rss MB (${MAX_RSS_MB}; 0: report only)] [--node-flags "FLAGS" (start:prod's)]`,
    );
    process.exit(0);
  }
  const seconds = (name, min) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < min) {
      console.error(`--${name} must be a whole number of seconds, at least ${min} (got "${values[name]}")`);
      process.exit(2);
    }
    return value;
  };
  return {
    duration: seconds('duration', 1),
    warmup: seconds('warmup', 0),
    // Peak RSS budget in MB (VmHWM over the whole run); 0 reports the peak without a check.
    maxRssMb: seconds('max-rss', 0),
    nodeFlags:
      values['node-flags'] === undefined
        ? productionNodeFlags()
        : values['node-flags'].split(' ').filter(Boolean),
  };
}

/**
 * Starts the built service; its stdout and stderr (a line per request in production) go to a file
 * in the temp dir, which nothing here has to keep draining; on failure its end is shown. It runs
 * with --expose-gc and a preload that calls gc() on SIGUSR2, for settledMemoryKb().
 */
function startServer(dir, nodeFlags) {
  const password = randomBytes(18).toString('base64url');
  const server = spawnService({
    label: 'the server',
    // start:prod's flags unless --node-flags: the peak budget is read against production's heap sizes.
    nodeFlags,
    nodeArgs: ['--expose-gc', '--import', GC_HOOK],
    env: {
      NODE_ENV: 'production',
      HOST,
      DATA_DIR: join(dir, 'data'),
      JWT_SECRET: randomBytes(48).toString('base64'),
      ADMIN_NAME: 'soak',
      ADMIN_PASSWORD: password,
    },
    // The temp dir, so no .env of the developer's is read.
    cwd: dir,
    logFile: join(dir, 'server.log'),
  });
  return { server, password };
}

/** VmRSS as it is, and after two full garbage collections. */
async function settledMemoryKb(server) {
  const raw = await server.memoryKb();
  for (let i = 0; i < 2; i++) {
    server.child.kill('SIGUSR2');
    await sleep(500);
  }
  return { raw, collected: await server.memoryKb() };
}

async function login(url, password) {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'soak', password }),
  });
  const body = await response.text();
  if (response.status !== 200) {
    throw new Error(`login as soak: ${response.status} ${body}`);
  }
  const { token } = JSON.parse(body);
  const check = await fetch(`${url}/user`, { headers: { Authorization: `Bearer ${token}` } });
  if (check.status !== 200) {
    throw new Error(`GET /user with the fresh token: ${check.status} ${await check.text()}`);
  }
  return token;
}

/** One autocannon client; resolves with its result and the socket-level error codes it met. */
function client(options, running) {
  const errorCodes = {};
  const instance = autocannon(options);
  running.add(instance);
  instance.on('reqError', (error) => {
    const key = error.code ?? error.message;
    errorCodes[key] = (errorCodes[key] ?? 0) + 1;
  });
  return new Promise((resolve, reject) => {
    instance.once('done', (result) => {
      running.delete(instance);
      resolve({ result, errorCodes });
    });
    instance.once('error', reject);
  });
}

/** Both clients for `seconds`: GET /user with the token, and the flood of wrong passwords. */
async function loadPhase(url, token, seconds, running) {
  let attempt = 0;
  let missingRetryAfter = 0;
  const [user, flood] = await Promise.all([
    client(
      {
        url: `${url}/user`,
        method: 'GET',
        headers: { authorization: `Bearer ${token}` },
        connections: USER_CONNECTIONS,
        duration: seconds,
      },
      running,
    ),
    client(
      {
        url: `${url}/login`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections: LOGIN_CONNECTIONS,
        duration: seconds,
        requests: [
          {
            setupRequest: (request) => ({
              ...request,
              body: JSON.stringify({ name: 'soak', password: `wrong-password-${++attempt}` }),
            }),
            onResponse: (status, _body, _context, headers) => {
              if (status === 429 && !headers['retry-after']) {
                missingRetryAfter++;
              }
            },
          },
        ],
      },
      running,
    ),
  ]);
  flood.missingRetryAfter = missingRetryAfter;
  return { user, flood };
}

const mb = (kb) => (kb * 1024) / 1e6;
const fmt = (n, digits = 1) => n.toFixed(digits);
const signed = (n) => `${n >= 0 ? '+' : ''}${fmt(n)}`;
const codeCounts = (stats) =>
  Object.entries(stats)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, n]) => `${code}: ${typeof n === 'number' ? n : n.count}`)
    .join(', ') || 'none';

function report(name, { result, errorCodes, missingRetryAfter }) {
  const lines = [
    name,
    `  requests      ${result.requests.total} completed (${result.requests.sent} sent), ${fmt(result.requests.average)} req/s over ${result.duration} s`,
    `  status codes  ${codeCounts(result.statusCodeStats)}  (2xx ${result['2xx']}, non-2xx ${result.non2xx}, 5xx ${result['5xx']})`,
    `  errors        ${result.errors}, of which timeouts ${result.timeouts}${result.errors ? ` (${codeCounts(errorCodes)})` : ''}`,
    `  latency       p50 ${result.latency.p50} ms, p90 ${result.latency.p90} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
  ];
  if (result.statusCodeStats[429]) {
    lines.push(`  429 without a Retry-After header: ${missingRetryAfter}`);
  }
  return lines.join('\n');
}

async function main() {
  const { duration, warmup, maxRssMb, nodeFlags } = parseOptions();
  if (!existsSync(MAIN)) {
    console.error(`${MAIN} is missing: run "npm run build" first (npm run soak does).`);
    return 2;
  }
  if (!existsSync('/proc/self/status')) {
    console.error('The soak reads memory from /proc/<pid>/status: Linux only.');
    return 2;
  }

  const dir = await mkdtemp(join(tmpdir(), 'soak-'));
  const running = new Set();
  let server;
  let password;
  let interrupted = false;
  const onSignal = (signal) => {
    if (!interrupted) {
      interrupted = true;
      console.error(`\n${signal}: stopping the load and the server…`);
      for (const instance of running) {
        instance.stop();
      }
      void server?.stop();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    ({ server, password } = startServer(dir, nodeFlags));
    // It prints "localhost", which may resolve to ::1; it listens on HOST only.
    await server.listening({ host: HOST });
    console.log(`server pid ${server.pid} listening on ${server.url} (data and log in ${dir})`);
    console.log(`node flags: ${nodeFlags.length === 0 ? '(none)' : nodeFlags.join(' ')}`);
    const token = await login(server.url, password);
    await sleep(500);
    if (interrupted) {
      throw new Error('interrupted before the load');
    }
    const cold = await settledMemoryKb(server);
    const load = `GET /user at ${USER_CONNECTIONS} connections + POST /login (wrong passwords) at ${LOGIN_CONNECTIONS}`;

    const phases = [];
    let before = cold;
    if (warmup > 0) {
      console.log(`warm-up: ${warmup} s of ${load}`);
      phases.push(await loadPhase(server.url, token, warmup, running));
      if (interrupted) {
        throw new Error('interrupted during the warm-up');
      }
      await sleep(500);
      before = await settledMemoryKb(server);
    }

    console.log(`load: ${duration} s of ${load}`);
    let peakKb = before.raw;
    const sampler = setInterval(() => {
      server
        .memoryKb()
        .then((kb) => (peakKb = Math.max(peakKb, kb)))
        .catch(() => {});
    }, 250);
    const measured = await loadPhase(server.url, token, duration, running);
    phases.push(measured);
    clearInterval(sampler);
    if (interrupted) {
      throw new Error('interrupted during the load');
    }

    const alive = server.running;
    let after = null;
    let hwmKb = null;
    if (alive) {
      await sleep(500);
      after = await settledMemoryKb(server);
      hwmKb = await server.memoryKb('VmHWM');
    }
    const exit = await server.stop();

    console.log('');
    console.log(report(`GET /user  (${USER_CONNECTIONS} connections, Bearer token)`, measured.user));
    console.log('');
    console.log(report(`POST /login  (${LOGIN_CONNECTIONS} connections, wrong passwords)`, measured.flood));
    if (warmup > 0) {
      const { user, flood } = phases[0];
      console.log('');
      console.log(
        `warm-up (${warmup} s): GET /user ${codeCounts(user.result.statusCodeStats)}, errors ${user.result.errors}; ` +
          `POST /login ${codeCounts(flood.result.statusCodeStats)}, errors ${flood.result.errors}`,
      );
    }

    const growthMb = after === null ? null : mb(after.collected - before.collected);
    const line = (label, reading) =>
      `  ${label.padEnd(34)} ${fmt(mb(reading.collected)).padStart(6)} MB after gc   (${fmt(mb(reading.raw))} MB as found)`;
    console.log('');
    console.log('server memory (VmRSS)');
    console.log(line('cold, after start-up and a login', cold));
    if (warmup > 0) {
      console.log(line(`before the load, after warm-up`, before));
    }
    console.log(after === null ? '  after the load: n/a (server gone)' : line('after the load', after));
    if (after !== null) {
      console.log(
        `  growth over the load: ${signed(growthMb)} MB after gc (${signed(mb(after.raw - before.raw))} MB as found)` +
          (warmup > 0 ? `; since cold: ${signed(mb(after.collected - cold.collected))} MB` : ''),
      );
      console.log(`  peak during the load: ${fmt(mb(peakKb))} MB sampled, VmHWM ${fmt(mb(hwmKb))} MB`);
    }
    console.log(
      alive
        ? `server stopped with SIGTERM: exit ${exit.signal ?? exit.code}`
        : `server had exited: ${exit.signal ?? exit.code}`,
    );
    console.log('');

    // Every phase counts for statuses and errors; memory is the measured run's.
    const all = (who, key) => phases.reduce((sum, phase) => sum + phase[who].result[key], 0);
    const only = (who, allowed) =>
      all(who, '2xx') + all(who, 'non2xx') > 0 &&
      phases.every((phase) =>
        Object.keys(phase[who].result.statusCodeStats).every((code) => allowed.includes(Number(code))),
      );
    const checks = [
      ['the server stayed up for the whole load', alive],
      ['no 5xx anywhere', all('user', '5xx') + all('flood', '5xx') === 0],
      [
        'no socket errors or timeouts',
        all('user', 'errors') +
          all('flood', 'errors') +
          all('user', 'timeouts') +
          all('flood', 'timeouts') ===
          0,
      ],
      ['GET /user got only 200', only('user', [200])],
      ['the login flood got only 400/429', only('flood', [400, 429])],
      [
        `RSS growth under ${MAX_RSS_GROWTH_MB} MB`,
        growthMb !== null && growthMb < MAX_RSS_GROWTH_MB,
        growthMb === null ? 'n/a' : `${signed(growthMb)} MB`,
      ],
      ['the server exited 0 on SIGTERM', alive && exit.code === 0],
    ];
    if (maxRssMb > 0) {
      checks.push([
        `peak RSS (VmHWM) at most ${maxRssMb} MB`,
        hwmKb !== null && mb(hwmKb) <= maxRssMb,
        hwmKb === null ? 'n/a' : `${fmt(mb(hwmKb))} MB`,
      ]);
    }
    for (const [label, ok, detail] of checks) {
      console.log(`${ok ? 'PASS' : 'FAIL'}  ${label}${detail ? ` (${detail})` : ''}`);
    }
    const failed = checks.filter(([, ok]) => !ok).length;
    if (!alive || exit.code !== 0) {
      console.log(`\nlast server output:\n${await server.tail()}`);
    }
    console.log(failed ? `\nsoak FAILED: ${failed} of ${checks.length} expectations` : '\nsoak passed');
    return failed ? 1 : 0;
  } catch (error) {
    console.error(`soak aborted: ${error instanceof Error ? error.message : String(error)}`);
    if (server && !interrupted) {
      console.error(`last server output:\n${await server.tail()}`);
    }
    return interrupted ? 130 : 1;
  } finally {
    for (const instance of running) {
      instance.stop();
    }
    if (server) {
      await server.stop();
    }
    await rm(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
