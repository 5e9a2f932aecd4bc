// What CI runs to prove the README's commands as a new user types them. No dependencies: the
// first use runs before `npm ci`, on a clone with no node_modules and no dist/.
//
//   node .ci/smoke.mjs line start|test   prints the README's quick-start line running `npm start`
//                                        (or `npm test`), without its comment
//   node .ci/smoke.mjs serve -- CMD...    runs CMD in its own process group, waits for GET /login,
//                                        logs in as admin/1234, checks GET /user, then stops the
//                                        whole group with SIGINT (Ctrl-C) and checks it is gone
//
// The service is expected on the README's address, http://localhost:3000.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const BASE = 'http://localhost:3000';
/** A clean clone's `npm ci` compiles better-sqlite3 (minutes), then the service builds. */
const START_TIMEOUT_MS = 15 * 60_000;
const STOP_TIMEOUT_MS = 15_000;

/** The lines of the first sh block under "## Quick start", comments cut. */
function quickStartLines() {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Quick start'));
  const block = section && /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) {
    throw new Error('README.md has no ```sh block under "## Quick start"');
  }
  return block[1]
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

function readmeLine(which) {
  const pattern = which === 'start' ? /\bnpm start\b/ : /\bnpm test\b/;
  const line = quickStartLines().find((candidate) => pattern.test(candidate));
  if (line === undefined) {
    throw new Error(`README.md's quick start has no line running npm ${which}`);
  }
  return line;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function expectJson(response, status, what) {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text);
}

/** Whether any process of the group is still alive. */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function serve(command) {
  if (command.length === 0) {
    throw new Error('serve needs a command after --');
  }
  const shown = command.join(' ');
  console.log(`smoke: running \`${shown}\` and waiting for GET ${BASE}/login`);
  // detached: its own process group, so that SIGINT reaches npm, sh and node as Ctrl-C would.
  const child = spawn(command[0], command.slice(1), { cwd: ROOT, stdio: 'inherit', detached: true });
  let exited = null;
  child.once('exit', (code, signal) => (exited = { code, signal }));
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (exited !== null) {
        throw new Error(`\`${shown}\` exited (${exited.code ?? exited.signal}) before serving`);
      }
      if (Date.now() > deadline) {
        throw new Error(`\`${shown}\` did not serve GET /login within ${START_TIMEOUT_MS / 60_000} minutes`);
      }
      const page = await fetch(`${BASE}/login`).catch(() => undefined);
      if (page?.status === 200 && (page.headers.get('content-type') ?? '').startsWith('text/html')) {
        break;
      }
      await sleep(1000);
    }
    const login = await expectJson(
      await fetch(`${BASE}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'admin', password: '1234' }),
      }),
      200,
      'POST /login as admin/1234',
    );
    const user = await expectJson(
      await fetch(`${BASE}/user`, { headers: { authorization: `Bearer ${login.token}` } }),
      200,
      'GET /user',
    );
    if (user.name !== 'admin' || typeof user.id !== 'number') {
      throw new Error(`GET /user answered ${JSON.stringify(user)}, not admin`);
    }
    console.log(
      `smoke: \`${shown}\` serves: GET /login 200, POST /login 200, GET /user ${JSON.stringify(user)}`,
    );
  } finally {
    await stopGroup(child.pid, shown);
  }
  console.log(`smoke: \`${shown}\` stopped on Ctrl-C (SIGINT)`);
}

/** Ctrl-C to the whole group; SIGKILL and a failure if anything of it outlives STOP_TIMEOUT_MS. */
async function stopGroup(pgid, shown) {
  if (groupAlive(pgid)) {
    process.kill(-pgid, 'SIGINT');
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (groupAlive(pgid) && Date.now() < deadline) {
    await sleep(200);
  }
  if (groupAlive(pgid)) {
    process.kill(-pgid, 'SIGKILL');
    throw new Error(`\`${shown}\` was still running ${STOP_TIMEOUT_MS / 1000} s after Ctrl-C (SIGINT)`);
  }
}

const [mode, ...rest] = process.argv.slice(2);
try {
  if (mode === 'line' && (rest[0] === 'start' || rest[0] === 'test')) {
    console.log(readmeLine(rest[0]));
  } else if (mode === 'serve' && rest[0] === '--') {
    await serve(rest.slice(1));
  } else {
    throw new Error('usage: node .ci/smoke.mjs line start|test | serve -- CMD...');
  }
} catch (error) {
  console.error(`smoke: FAILED: ${error.message}`);
  process.exit(1);
}
