import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  hkdfSync,
  randomBytes,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { promisify } from 'node:util';

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
const HKDF_SALT = 'nest-jwt-auth';
const FORMAT = 'v1';

/** The AES-256 key that wraps private keys, derived from a secret of the service by HKDF-SHA256. */
export function deriveWrappingKey(secret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, HKDF_INFO, 32));
}

/**
 * `v1.<iv>.<ciphertext>.<tag>`: the PKCS#8 private key under AES-256-GCM. The kid is the
 * additional authenticated data, so a stored private key cannot be moved to another key's row.
 */
export function encryptPrivateKey(privateKey: KeyObject, wrappingKey: Buffer, kid: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', wrappingKey, iv);
  cipher.setAAD(Buffer.from(kid));
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const ciphertext = Buffer.concat([cipher.update(der), cipher.final()]);
  return [FORMAT, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** Thrown when a stored private key does not open with this secret (or was altered). */
export class UndecryptableKeyError extends Error {
  override name = 'UndecryptableKeyError';
}

export function decryptPrivateKey(stored: string, wrappingKey: Buffer, kid: string): KeyObject {
  const parts = stored.split('.');
  if (parts.length !== 4 || parts[0] !== FORMAT) {
    throw new UndecryptableKeyError(`the private key of ${kid} is not in the ${FORMAT} format`);
  }
  const [iv, ciphertext, tag] = parts.slice(1).map((part) => Buffer.from(part, 'base64url'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', wrappingKey, iv);
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(tag);
    const der = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new UndecryptableKeyError(
      `the private key of ${kid} does not open with this secret (KEY_ENCRYPTION_SECRET or JWT_SECRET changed?)`,
    );
  }
}
