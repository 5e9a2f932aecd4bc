// The bare argon2 verify rate with the service's parameters, for reading the login figure against.
//
// Imports ARGON2_OPTIONS from the built service (dist/), hashes one password with them, then keeps
// `--concurrency` verifies in flight (by default one per CPU this process may use, as many as the
// service's hashing threads) for --warmup and then --duration seconds, with the library the
// service uses (@node-rs/argon2) and nothing else: no worker pool, no HTTP. bench.mjs runs it with
// the server's CPU pinning. Prints one JSON object on stdout.
//
// Usage: node bench/argon2-rate.mjs [--duration S (10)] [--warmup S (3)] [--concurrency N (CPUs)]
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { LatencyRecorder } from './lib/load.mjs';

const HASHER = join(import.meta.dirname, '..', 'dist', 'users', 'password-hasher.service.js');

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: String(availableParallelism()) },
  },
});
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const concurrency = Number(values.concurrency);
if (!(duration > 0) || !(warmup >= 0) || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error('--duration must be > 0, --warmup >= 0, --concurrency a whole number >= 1');
  process.exit(2);
}

const { ARGON2_OPTIONS } = await import(pathToFileURL(HASHER).href);
const password = 'correct horse battery staple';
const hash = await argon2Hash(password, ARGON2_OPTIONS);

/** Keeps `concurrency` verifies in flight for `seconds`; records each one's time when `recorder` is given. */
async function phase(seconds, recorder) {
  const started = performance.now();
  const end = started + seconds * 1000;
  let done = 0;
  const lane = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      if (!(await argon2Verify(hash, password))) {
        throw new Error('argon2 verify returned false for the right password');
      }
      recorder?.record(performance.now() - t0);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { done, seconds: (performance.now() - started) / 1000 };
}

if (warmup > 0) {
  await phase(warmup);
}
const recorder = new LatencyRecorder();
const cpuBefore = process.cpuUsage();
const { done, seconds } = await phase(duration, recorder);
const cpu = process.cpuUsage(cpuBefore);
const total = process.cpuUsage();

console.log(
  JSON.stringify({
    options: { ...ARGON2_OPTIONS, type: /^\$(\w+)\$/.exec(hash)[1] },
    concurrency,
    verifies: done,
    seconds,
    perSecond: done / seconds,
    cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
    latency: recorder.summary(),
    /** All of this process's CPU time, warm-up and hashing included, for bench.mjs's noise figure. */
    totalCpuSeconds: (total.user + total.system) / 1e6,
  }),
);
