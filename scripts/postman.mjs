// npm run test:postman: runs the Postman collection with newman against the built service, started
// here on a fresh database (so the demo account admin/1234 exists), and fails on any failed test.
// Builds first when dist/ is missing or older than its sources (scripts/ensure-built.mjs).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import newman from 'newman';
import { ROOT, startService } from './lib/service-process.mjs';

const ENSURE_BUILT = join(import.meta.dirname, 'ensure-built.mjs');
const COLLECTION = join(ROOT, 'postman', 'nest-jwt-auth.postman_collection.json');
const ENVIRONMENT = join(ROOT, 'postman', 'local.postman_environment.json');
const START_TIMEOUT_MS = 30_000;

/** scripts/ensure-built.mjs: builds when dist/ is missing or older than its sources. */
function buildIfNeeded() {
  const { status, signal } = spawnSync(process.execPath, [ENSURE_BUILT], { cwd: ROOT, stdio: 'inherit' });
  if (status !== 0) {
    throw new Error(`scripts/ensure-built.mjs failed (exit ${status ?? signal})`);
  }
}

/** Requests in a collection's (nested) folders. */
const countRequests = (items) =>
  items.reduce((count, item) => count + (item.item === undefined ? 1 : countRequests(item.item)), 0);

function runCollection(options) {
  return new Promise((resolve, reject) => {
    newman.run(options, (error, summary) => (error ? reject(error) : resolve(summary)));
  });
}

/**
 * One newman run against a fresh service signing with `algorithm`. `skippable` requests may skip
 * themselves (pm.execution.skipRequest): the expired-token request needs the HS256 secret.
 */
async function runPass(algorithm, skippable) {
  const dataDir = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-postman-'));
  // Known to this script so that the collection can sign an expired token with it (HS256).
  const jwtSecret = randomBytes(48).toString('base64url');
  const service = await startService({
    env: {
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      JWT_SECRET: jwtSecret,
      JWT_ALGORITHM: algorithm,
      // The collection logs in a dozen times from one address, some of them with a wrong password.
      LOGIN_RATE_LIMIT: '1000000',
      LOGIN_FAILURE_LIMIT: '1000000',
      LOG_FORMAT: 'json',
    },
    cwd: ROOT,
    timeoutMs: START_TIMEOUT_MS,
  });
  let summary;
  try {
    console.log(`--- newman (JWT_ALGORITHM=${algorithm}): ${COLLECTION} against ${service.url}`);
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
  // A request the collection skips must not pass for a green run here, beyond those allowed.
  const skipped = countRequests(JSON.parse(readFileSync(COLLECTION, 'utf8')).item) - stats.requests.total;
  if (failures.length > 0 || summary.error || stats.assertions.total === 0 || skipped !== skippable) {
    console.error(
      `test:postman (JWT_ALGORITHM=${algorithm}) failed: ${failures.length} failure(s), ${stats.assertions.total} assertion(s), ${skipped} skipped request(s), ${skippable} expected`,
    );
    console.error(`--- service output\n${service.output()}`);
    process.exitCode = 1;
  }
}

async function main() {
  buildIfNeeded();
  // The default, ES256, as users run it; then HS256, where the collection can sign an expired token.
  await runPass('ES256', 1);
  await runPass('HS256', 0);
}

main().catch((error) => {
  console.error(`test:postman failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
