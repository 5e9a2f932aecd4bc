// The yardsticks, when ../shared/peers exists: the node:http ceiling, the two floors of
// bench/floors/ (Fastify alone; NestJS on Fastify with one guard) and the FastAPI tutorial app,
// one after the other, GET /user measured as the service row's (1) is.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, spawnProcess } from '../../scripts/lib/service-process.mjs';
import { login } from '../lib/client.mjs';
import { describe, megabytes, say } from '../lib/format.mjs';
import { loadProblems } from '../lib/load.mjs';
import { freePort, HOST, probe } from '../lib/processes.mjs';
import { FLOORS, IDLE_SETTLE_MS, PEERS, USER_CONNECTIONS } from '../lib/settings.mjs';

/** run.sh runs this interpreter, so this is the one that needs the modules (not a pyenv shim). */
const PYTHON = '/usr/bin/python3';
const PYTHON_MODULES = ['fastapi', 'uvicorn', 'jwt', 'dotenv', 'uvloop', 'httptools'];
const APT_INSTALL =
  'apt-get update && apt-get install -y python3-fastapi python3-uvicorn python3-jwt python3-dotenv python3-uvloop python3-httptools';

/**
 * How to run one of the servers that answer GET /user with the ceiling's HS256 check: the
 * node:http ceiling (`name` 'ceiling', from ../shared/peers) or a floor of bench/floors/ ('fastify',
 * 'nest'), on a free port with a fresh secret; `getToken` mints a token it accepts.
 */
export async function hs256Peer(dir, name, { label = 'node:http ceiling', logName } = {}) {
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

/** A peer: start, idle RSS, a token, GET /user measured like the service's, stop. */
async function measurePeer(runner, label, { spawnSpec, url, getToken }) {
  const child = await runner.startServer(spawnProcess({ ...spawnSpec, pin: runner.pin }), url);
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
    const { warmup, duration } = runner.options;
    say(`  GET /user, ${USER_CONNECTIONS} connections (${warmup} s warm-up + ${duration} s)`);
    result.getUser = await runner.measure(child, {
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
    await runner.stop(child);
  }
  return result;
}

async function measureFastapi(runner, dir) {
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  return measurePeer(runner, 'FastAPI tutorial app', {
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

/**
 * `{ peers: { ceiling, fastapi, fastifyFloor, nestFloor }, python, problems }`: each peer's
 * figures or `{ skipped }` with the reason; `python` the FastAPI app's versions, or null.
 */
export async function measurePeers(runner, dir) {
  const problems = [];
  if (runner.options.skipPeers) {
    const skipped = { skipped: '--skip-peers' };
    return {
      peers: { ceiling: skipped, fastapi: skipped, fastifyFloor: skipped, nestFloor: skipped },
      python: null,
      problems,
    };
  }
  if (!existsSync(PEERS)) {
    say(`peers: ${PEERS} not found, measuring the service alone`);
    return {
      peers: {
        ceiling: { skipped: `${PEERS} not found` },
        fastapi: { skipped: `${PEERS} not found` },
        fastifyFloor: { skipped: 'no ceiling to read it against' },
        nestFloor: { skipped: 'no ceiling to read it against' },
      },
      python: null,
      problems,
    };
  }
  const peers = {};
  const add = (key, result) => {
    peers[key] = result;
    problems.push(...result.problems);
    say('');
  };
  add('ceiling', await measurePeer(runner, 'node:http ceiling', await hs256Peer(dir, 'ceiling')));
  for (const [key, name, label] of [
    ['fastifyFloor', 'fastify', 'floor: Fastify alone'],
    ['nestFloor', 'nest', 'floor: NestJS on Fastify, one guard'],
  ]) {
    // What the stack costs before the service does anything.
    add(key, await measurePeer(runner, label, await hs256Peer(dir, name, { label })));
  }
  const python = pythonReady();
  if (python.ok) {
    peers.fastapi = await measureFastapi(runner, dir);
    problems.push(...peers.fastapi.problems);
  } else {
    peers.fastapi = { skipped: `${PYTHON}: ${python.reason}` };
    say(
      `FastAPI tutorial app: skipped, ${PYTHON} cannot import ${PYTHON_MODULES.join(', ')} (${python.reason}).`,
    );
    say(`  To include it, install Debian's packages (as root): ${APT_INSTALL}`);
  }
  say('');
  return { peers, python: python.ok ? python.version : null, problems };
}
