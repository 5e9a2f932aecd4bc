import { createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { estimateEntropyBits, MIN_SECRET_BITS, WEAK_SECRET } from './secret-strength.js';

/**
 * SHA-256 digests of secrets published in tutorials and docs, kept as digests so the secrets
 * themselves never sit in this code base. A token signed with any of them can be forged by anyone.
 */
const PUBLISHED_SECRET_DIGESTS = new Map([
  ['04cc34aafdf19399ba28fdd4098d092760b198380bbfd6d49c4c85b116c781ce', 'the FastAPI tutorial'],
  ['f9d1bbb2d69379c579135247edda14b365847c5d0f9774ffbea4893537a386e9', 'the NestJS auth docs'],
  ['465d9ad5d5528ebe287b5dce4fb51620833d09b290e49ddcc70ca6c4a0aea01b', "jwt.io's debugger"],
  ['7d27902fec7809b26c0a9fd29477514afe0f97f797c985e000cefbbde52eb1f1', "this project's .env.example"],
  // Random-looking values the docs and the Postman files show (a kid, an id): anyone has read them.
  // test/unit/jwt-secret.spec.ts scans those files and fails until a new one is listed here.
  ['61acfb8a2446c2a24961529a0e37333a5a632f7092e10eb97d0bf745faf3a51a', "this project's docs"],
  ['10fc3964d4bbd40907c3ecd1e3271588936940ff70561936e7617e02dfeb1adb', "this project's docs"],
  ['1a2a3f31ab9f8aec88acff1fa83642be53f87326ae32b0facf2efa4e09410a02', "this project's Postman files"],
  ['a9aa350ca94b06cd399167149422c8ea763755ae9033104e8162f61c0cbb8d87', "this project's Postman files"],
]);

/** Where a published secret comes from, or undefined when it is not a known one. */
export function publishedSecretSource(secret: string): string | undefined {
  // Trimmed: a quoted value with a stray newline is still the published secret.
  return PUBLISHED_SECRET_DIGESTS.get(createHash('sha256').update(secret.trim()).digest('hex'));
}

export const GENERATED_SECRET_FILE = 'jwt-secret';

export interface SigningSecret {
  key: KeyObject;
  /** Something an operator should hear about at start-up, or undefined. */
  warning?: string;
}

/**
 * Turns configuration into the signing key. The environment schema has already refused a
 * missing or published secret in production; elsewhere a missing one is generated once and
 * kept in the data directory, so that restarts keep logins valid. The key is built once, here:
 * given a string, jsonwebtoken would rebuild a key object on every verification (docs/decisions.md).
 */
export function resolveSigningSecret(env: { JWT_SECRET?: string; DATA_DIR: string }): SigningSecret {
  if (env.JWT_SECRET !== undefined) {
    const source = publishedSecretSource(env.JWT_SECRET);
    let warning: string | undefined;
    if (source !== undefined) {
      warning = `JWT_SECRET is a published secret (from ${source}): anyone can forge tokens; production refuses it`;
    } else if (estimateEntropyBits(env.JWT_SECRET) < MIN_SECRET_BITS) {
      warning = `JWT_SECRET ${WEAK_SECRET}; production refuses it`;
    }
    return { key: createSecretKey(Buffer.from(env.JWT_SECRET, 'utf8')), warning };
  }
  const file = join(env.DATA_DIR, GENERATED_SECRET_FILE);
  return {
    key: createSecretKey(loadOrCreateSecret(file)),
    warning: `JWT_SECRET is not set: using the generated secret in ${file}, which encrypts the signing keys (or signs, with HS256); production requires JWT_SECRET`,
  };
}

function loadOrCreateSecret(file: string): Buffer {
  mkdirSync(dirname(file), { recursive: true });
  const fresh = randomBytes(48).toString('base64url');
  try {
    // 'wx' fails if the file exists, so two processes starting together cannot overwrite each other.
    writeFileSync(file, fresh, { flag: 'wx', mode: 0o600 });
    return Buffer.from(fresh, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
  }
  const stored = readFileSync(file, 'utf8').trim();
  if (Buffer.byteLength(stored) < 32) {
    throw new Error(`${file} must hold a secret of at least 32 bytes; delete it to generate a new one`);
  }
  return Buffer.from(stored, 'utf8');
}

/**
 * The secret every instance shares, for keys derived from it (TOTP sealing, refresh successors):
 * KEY_ENCRYPTION_SECRET when set, otherwise the signing secret (JWT_SECRET, or the generated one).
 */
export function instanceSecret(env: {
  KEY_ENCRYPTION_SECRET?: string;
  JWT_SECRET?: string;
  DATA_DIR: string;
}): Buffer {
  return env.KEY_ENCRYPTION_SECRET !== undefined
    ? Buffer.from(env.KEY_ENCRYPTION_SECRET, 'utf8')
    : resolveSigningSecret(env).key.export();
}
