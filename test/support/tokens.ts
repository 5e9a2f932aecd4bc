import { createHmac, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { toLowS } from '../../src/keys/ecdsa-signatures.js';
import { KeyRing } from '../../src/keys/key-ring.js';
import { TEST_JWT_SECRET } from './e2e-env.js';

export const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');
/** Always JSON, so a string payload is `"x"`, not `x`. */
export const encode = (value: unknown) => b64url(JSON.stringify(value));

/**
 * `h64.p64.HMAC(h64.p64)`: segments as given, so non-canonical encodings can be signed too.
 * `hash` is the HMAC digest (sha256 for HS256); `digest` the signature's encoding.
 */
export const signRaw = (
  h64: string,
  p64: string,
  key: string | Buffer,
  hash = 'sha256',
  digest: 'base64url' | 'base64' = 'base64url',
) => `${h64}.${p64}.${createHmac(hash, key).update(`${h64}.${p64}`).digest(digest)}`;

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
 * Objects go in as JSON, a string as the segment's text itself (so not JSON).
 * `hash` is the HMAC digest: sha256 for HS256, sha384/sha512 to forge HS384/HS512 with the real key.
 */
export function forge(
  header: unknown,
  payload: unknown,
  { secret = TEST_JWT_SECRET, hash = 'sha256' }: { secret?: string | Buffer; hash?: string } = {},
): string {
  const segment = (value: unknown) => (typeof value === 'string' ? b64url(value) : encode(value));
  return signRaw(segment(header), segment(payload), secret, hash);
}

export const HS256 = { alg: 'HS256', typ: 'JWT' };

/** The key the service signs with now (its KeyRing), to sign tokens a test needs valid but for one defect. */
export interface ServiceKey {
  kid: string;
  algorithm: 'ES256' | 'RS256' | 'HS256';
  key: KeyObject;
}

export const serviceKey = (app: INestApplicationContext): ServiceKey => app.get(KeyRing).currentSigner();

/** The header the service writes with that key. */
export const serviceHeader = (key: ServiceKey) => ({ alg: key.algorithm, typ: 'JWT', kid: key.kid });

/**
 * A JWS signature of `input` with the service's key, in its algorithm (ES256 as JOSE's r || s,
 * with the low S the service issues and requires).
 */
export function jwsSignature(
  key: ServiceKey,
  input: string,
  digest: 'base64url' | 'base64' = 'base64url',
): string {
  if (key.algorithm === 'HS256') {
    return createHmac('sha256', key.key).update(input).digest(digest);
  }
  if (key.algorithm === 'ES256') {
    const signature = sign('sha256', Buffer.from(input), { key: key.key, dsaEncoding: 'ieee-p1363' });
    return toLowS('ES256', signature).toString(digest);
  }
  return sign('sha256', Buffer.from(input), key.key).toString(digest);
}

/** `h64.p64.signature` with the service's key: segments as given, so odd encodings can be signed too. */
export const signSegments = (
  key: ServiceKey,
  h64: string,
  p64: string,
  digest: 'base64url' | 'base64' = 'base64url',
) => `${h64}.${p64}.${jwsSignature(key, `${h64}.${p64}`, digest)}`;

/** Any header and payload (objects as JSON, a string as the segment's text) signed with the service's key. */
export function signAsService(key: ServiceKey, header: unknown, payload: unknown): string {
  const segment = (value: unknown) => (typeof value === 'string' ? b64url(value) : encode(value));
  return signSegments(key, segment(header), segment(payload));
}
