import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';
import { deriveSealingKey, seal, unseal, UnsealError } from '../common/crypto/sealing.js';

/** The asymmetric algorithms keys are made for; HS256 signs with JWT_SECRET and has no stored keys. */
export type KeyAlgorithm = 'ES256' | 'RS256';
export type SigningAlgorithm = KeyAlgorithm | 'HS256';

/** A public key as the JWKS publishes it: RFC 7517 members only, never a private one. */
export interface PublicJwk {
  kty: 'EC' | 'RSA';
  kid: string;
  alg: KeyAlgorithm;
  use: 'sig';
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

export interface NewKey {
  kid: string;
  algorithm: KeyAlgorithm;
  publicJwk: PublicJwk;
  privateKey: KeyObject;
}

const generate = promisify(generateKeyPair);

/** The members RFC 7638 hashes, per key type, in the (lexicographic) order it requires. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
};

/**
 * The RFC 7638 thumbprint of a public JWK: the kid. Derived from the key itself, so a kid can
 * never name two keys, and anyone holding the JWKS can check it.
 */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty ?? ''];
  if (members === undefined) {
    throw new Error(`no thumbprint for key type ${String(jwk.kty)}`);
  }
  const canonical = `{${members.map((name) => `"${name}":${JSON.stringify(jwk[name])}`).join(',')}}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** A fresh key pair: P-256 for ES256, 2048-bit RSA for RS256 (what RFC 7518 asks as a minimum). */
export async function generateSigningKey(algorithm: KeyAlgorithm): Promise<NewKey> {
  const { privateKey, publicKey } =
    algorithm === 'ES256'
      ? await generate('ec', { namedCurve: 'P-256' })
      : await generate('rsa', { modulusLength: 2048 });
  return { ...describePublicKey(publicKey, algorithm), algorithm, privateKey };
}

/** The JWKS entry of a public key, and its kid. */
export function describePublicKey(
  publicKey: KeyObject,
  algorithm: KeyAlgorithm,
): { kid: string; publicJwk: PublicJwk } {
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = jwkThumbprint(jwk);
  const members =
    algorithm === 'ES256'
      ? { kty: 'EC' as const, crv: jwk.crv, x: jwk.x, y: jwk.y }
      : { kty: 'RSA' as const, n: jwk.n, e: jwk.e };
  return { kid, publicJwk: { ...members, kid, alg: algorithm, use: 'sig' } };
}

export function publicKeyOf(jwk: PublicJwk): KeyObject {
  return createPublicKey({ key: { ...jwk }, format: 'jwk' });
}

/** Labels the derived key with its purpose: the same secret derives nothing else this way. */
const HKDF_INFO = 'nest-jwt-auth signing-key encryption v1';

/** The AES-256 key that wraps private keys, derived from a secret of the service by HKDF-SHA256. */
export function deriveWrappingKey(secret: Buffer): Buffer {
  return deriveSealingKey(secret, HKDF_INFO);
}

/**
 * `v1.<iv>.<ciphertext>.<tag>`: the PKCS#8 private key under AES-256-GCM. The kid is the
 * additional authenticated data, so a stored private key cannot be moved to another key's row.
 */
export function encryptPrivateKey(privateKey: KeyObject, wrappingKey: Buffer, kid: string): string {
  return seal(privateKey.export({ format: 'der', type: 'pkcs8' }), wrappingKey, kid);
}

/** Thrown when a stored private key does not open with this secret (or was altered). */
export class UndecryptableKeyError extends Error {
  override name = 'UndecryptableKeyError';
}

export function decryptPrivateKey(stored: string, wrappingKey: Buffer, kid: string): KeyObject {
  let der: Buffer;
  try {
    der = unseal(stored, wrappingKey, kid);
  } catch (error) {
    throw new UndecryptableKeyError(
      error instanceof UnsealError && error.reason === 'format'
        ? `the private key of ${kid} is not in the v1 format`
        : `the private key of ${kid} does not open with this secret (KEY_ENCRYPTION_SECRET or JWT_SECRET changed?)`,
    );
  }
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new UndecryptableKeyError(`the private key of ${kid} does not open with this secret`);
  }
}
