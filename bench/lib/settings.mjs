// What every figure shares: where things are, how many connections each load uses, how the
// service is started. The report reads these settings back from the results (r.settings).
import { join, resolve } from 'node:path';
import { productionLaunch, ROOT } from '../../scripts/lib/service-process.mjs';

const BENCH = resolve(import.meta.dirname, '..');

/** `npm run start:prod`'s environment settings and Node.js flags: spawnService runs the service with them. */
const LAUNCH = productionLaunch();
export const NODE_FLAGS = LAUNCH.nodeFlags;
const LAUNCH_ENV = Object.entries(LAUNCH.env).map(([name, value]) => `${name}=${value} `);
export const HASHER = join(ROOT, 'dist', 'users', 'password-hasher.service.js');
export const ARGON2_RATE = join(BENCH, 'argon2-rate.mjs');
export const JWT_RATE = join(BENCH, 'jwt-rate.mjs');
export const FLOORS = join(BENCH, 'floors');
export const RESULTS = join(BENCH, 'results');
export const PEERS = resolve(ROOT, '..', 'shared', 'peers');

export const USER_CONNECTIONS = 32;
/** Logins in flight: at least one per hashing thread (one per CPU the server may use), so none idles. */
export const LOGIN_CONNECTIONS = 4;
export const FLOOD_CONNECTIONS = 16;
export const FLOOD_TIMEOUT_S = 60;
/** Rounds of (5b) and (8), the sides or variants one after the other (ABBA...). */
export const INTERLEAVED_ROUNDS = 3;
export const IDLE_SETTLE_MS = 2_000;
/** Other processes' CPU (percent of one CPU) above which a figure is reported as disturbed. */
export const NOISY_PERCENT = 10;
export const THROTTLE_OFF = '1000000';

export const SERVICE_SETTINGS =
  `\`${LAUNCH_ENV.join('')}node ${[...NODE_FLAGS, 'dist/bundle/main.js'].join(' ')}\` as \`npm run start:prod\` runs it, ` +
  'NODE_ENV=production, fresh DATA_DIR (SQLite), production default logging (LOG_LEVEL unset = info, JSON: one line per request, stdout written to a file), ' +
  `LOGIN_RATE_LIMIT=${THROTTLE_OFF} and LOGIN_FAILURE_LIMIT=${THROTTLE_OFF} so that throttling cannot cap the login figures; every other protection at its default`;

/** The memory a container gives one instance (issues 12 and 24): what the RSS figures are read against. */
export const CONTAINER_BUDGET_MB = 256;
