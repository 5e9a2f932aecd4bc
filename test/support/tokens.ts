import { createHmac, randomUUID } from 'node:crypto';
import { TEST_JWT_SECRET } from './e2e-env.js';

const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export const now = () => Math.floor(Date.now() / 1000);

/** The claims the service issues for the seeded admin, valid for ten minutes (the default TTL is 15). */
export function adminClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = now();
  return {
    sub: '1',
    id: 1,
    name: 'admin',
    iat,
    exp: iat + 600,
    jti: randomUUID(),
    sid: randomUUID(),
    iss: 'nest-jwt-auth',
    aud: 'nest-jwt-auth',
    ...overrides,
  };
}

/**
 * Signs any header and payload with HMAC, the way a forger holding (or guessing) a key would.
 * `hash` is the HMAC digest: sha256 for HS256, sha384/sha512 to forge HS384/HS512 with the real key.
 */
export function forge(
  header: unknown,
  payload: unknown,
  { secret = TEST_JWT_SECRET, hash = 'sha256' }: { secret?: string; hash?: string } = {},
): string {
  const signingInput = `${b64url(header)}.${b64url(payload)}`;
  return `${signingInput}.${createHmac(hash, secret).update(signingInput).digest('base64url')}`;
}

export const HS256 = { alg: 'HS256', typ: 'JWT' };
