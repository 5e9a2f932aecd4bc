// npm run test:postman: runs the Postman collection with newman against the built service, started
// here on a fresh database (so the demo account admin/1234 exists), and fails on any failed test.
// Builds first when dist/ is missing or older than src/.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import newman from 'newman';

const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist', 'bundle', 'main.js'); // what `npm run start:prod` runs
const COLLECTION = join(ROOT, 'postman', 'nest-jwt-auth.postman_collection.json');
const ENVIRONMENT = join(ROOT, 'postman', 'local.postman_environment.json');
const START_TIMEOUT_MS = 30_000;

/** The newest modification time under `dir`, in ms. */
function newest(dir) {
  return Math.max(
    ...readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => statSync(join(entry.parentPath, entry.name)).mtimeMs),
  );
}

function buildIfNeeded() {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newest(join(ROOT, 'src'))) {
    return;
  }
  console.log('--- building (dist/ is missing or older than src/)');
  const { status } = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (status !== 0) {
    throw new Error(`npm run build failed (exit ${status})`);
  }
}

/** Starts the built service and resolves once it listens, with the URL it printed. */
async function startService(env) {
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the service did not listen within ${START_TIMEOUT_MS / 1000} s:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk) => {
      output += chunk.toString();
      const match = /Listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    },
  };
}

/** Requests in a collection's (nested) folders. */
const countRequests = (items) =>
  items.reduce((count, item) => count + (item.item === undefined ? 1 : countRequests(item.item)), 0);

function runCollection(options) {
  return new Promise((resolve, reject) => {
    newman.run(options, (error, summary) => (error ? reject(error) : resolve(summary)));
  });
}

async function main() {
  buildIfNeeded();
  const dataDir = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-postman-'));
  // Known to this script so that the collection can sign an expired token with it.
  const jwtSecret = randomBytes(48).toString('base64url');
  const service = await startService({
    PATH: process.env.PATH,
    NO_COLOR: '1',
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    JWT_SECRET: jwtSecret,
    // The collection logs in a dozen times from one address, some of them with a wrong password.
    LOGIN_RATE_LIMIT: '1000000',
    LOGIN_FAILURE_LIMIT: '1000000',
    LOG_FORMAT: 'json',
  });
  let summary;
  try {
    console.log(`--- newman: ${COLLECTION} against ${service.url}`);
    summary = await runCollection({
      collection: COLLECTION,
      environment: ENVIRONMENT,
      envVar: [
        { key: 'baseUrl', value: service.url },
        { key: 'jwtSecret', value: jwtSecret },
      ],
      reporters: ['cli'],
      timeoutRequest: 10_000,
    });
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const { failures, stats } = summary.run;
  // A request the collection skips (pm.execution.skipRequest) must not pass for a green run here.
  const skipped = countRequests(JSON.parse(readFileSync(COLLECTION, 'utf8')).item) - stats.requests.total;
  if (failures.length > 0 || summary.error || stats.assertions.total === 0 || skipped !== 0) {
    console.error(
      `test:postman failed: ${failures.length} failure(s), ${stats.assertions.total} assertion(s), ${skipped} skipped request(s)`,
    );
    console.error(`--- service output\n${service.output()}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`test:postman failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
