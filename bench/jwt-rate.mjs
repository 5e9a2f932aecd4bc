// The bare cost of signing and of verifying one access token, per algorithm, in this process:
// what (7) reads its "new token" rows against (docs/performance.md#signing-algorithms-7).
//
// Keys of the service's kinds (P-256 for ES256, RSA 2048 for RS256, a 48-byte secret for
// HS256), all as KeyObjects, and a token of the service's claim profile. Signs and verifies with
// jsonwebtoken, the library the service uses (through @nestjs/jwt and passport-jwt), with the
// options JwtStrategy passes: the algorithm pinned, issuer, audience, `complete`. No HTTP, no
// Nest, no cache: every call checks the signature. bench.mjs runs it with the server's CPU
// pinning. Prints one JSON object on stdout.
//
// Usage: node bench/jwt-rate.mjs [--duration S (2)] [--warmup S (0.5)]
import { createSecretKey, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import jwt from 'jsonwebtoken';

const ALGORITHMS = ['ES256', 'RS256', 'HS256'];

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '0.5' },
  },
});
const duration = Number(values.duration);
const warmup = Number(values.warmup);
if (!(duration > 0) || !(warmup >= 0)) {
  console.error('--duration must be > 0 and --warmup >= 0 (seconds)');
  process.exit(2);
}

const ISSUER = 'nest-jwt-auth';
const JSONWEBTOKEN_VERSION = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', 'node_modules', 'jsonwebtoken', 'package.json'), 'utf8'),
).version;

function keysFor(algorithm) {
  if (algorithm === 'HS256') {
    const secret = createSecretKey(randomBytes(48));
    return { privateKey: secret, publicKey: secret };
  }
  return algorithm === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** A token as AuthService.issue() writes it; the claims only need to be of the same size. */
function sign(algorithm, privateKey) {
  return jwt.sign({ id: 1, name: 'bench', sid: randomUUID() }, privateKey, {
    algorithm,
    keyid: 'x'.repeat(43), // an RFC 7638 thumbprint is 43 characters
    subject: '1',
    jwtid: randomUUID(),
    expiresIn: 900,
    issuer: ISSUER,
    audience: ISSUER,
  });
}

/** Calls `operation` for `seconds`; its count, its time and the CPU it took. */
function phase(seconds, operation) {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const end = started + seconds * 1000;
  let done = 0;
  // The clock is read every 16 calls: a verify takes tens of µs, performance.now() under one.
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) {
      operation(done++);
    }
  }
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    operations: done,
    seconds: elapsed,
    perSecond: done / elapsed,
    cpuUsPerOperation: (cpuSeconds * 1e6) / done,
  };
}

const results = {};
for (const algorithm of ALGORITHMS) {
  const { privateKey, publicKey } = keysFor(algorithm);
  // A few distinct tokens, so that nothing a library might keep per text could flatter the figure.
  const tokens = Array.from({ length: 64 }, () => sign(algorithm, privateKey));
  const options = {
    algorithms: [algorithm],
    issuer: ISSUER,
    audience: ISSUER,
    complete: true,
    clockTolerance: 5,
  };
  const verify = (i) => {
    if (jwt.verify(tokens[i & 63], publicKey, options).header.alg !== algorithm) {
      throw new Error(`${algorithm}: verified a token of another algorithm`);
    }
  };
  const signOne = () => sign(algorithm, privateKey);
  if (warmup > 0) {
    phase(warmup / 2, signOne);
    phase(warmup / 2, verify);
  }
  results[algorithm] = {
    tokenLength: tokens[0].length,
    sign: phase(duration, signOne),
    verify: phase(duration, verify),
  };
}
const total = process.cpuUsage();
console.log(
  JSON.stringify({
    library: `jsonwebtoken ${JSONWEBTOKEN_VERSION}`,
    duration,
    algorithms: results,
    /** All of this process's CPU time, warm-ups and key generation included, for bench.mjs's noise figure. */
    totalCpuSeconds: (total.user + total.system) / 1e6,
  }),
);
