import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (signing keys, TOTP secrets): AES-256-GCM under a key derived from a secret of
 * the service by HKDF-SHA256. Here, below the features, so that every feature seals the same way.
 */
const HKDF_SALT = 'nest-jwt-auth';
const FORMAT = 'v1';

/** The AES-256 key for one purpose: `info` labels it, so one secret derives a distinct key per use. */
export function deriveSealingKey(secret: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, info, 32));
}

/**
 * `v1.<iv>.<ciphertext>.<tag>`. `aad` is authenticated, not stored: it binds the sealed value to
 * its row (a kid, a user id), so it cannot be moved to another.
 */
export function seal(plaintext: Buffer, key: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [FORMAT, iv, ciphertext, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/** Thrown when a sealed value is not in the format, or does not open with this key and aad. */
export class UnsealError extends Error {
  override name = 'UnsealError';
  constructor(readonly reason: 'format' | 'key') {
    super(reason === 'format' ? `not in the ${FORMAT} format` : 'does not open with this key');
  }
}

export function unseal(stored: string, key: Buffer, aad: string): Buffer {
  const parts = stored.split('.');
  if (parts.length !== 4 || parts[0] !== FORMAT) {
    throw new UnsealError('format');
  }
  const [iv, ciphertext, tag] = parts.slice(1).map((part) => Buffer.from(part, 'base64url'));
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new UnsealError('key');
  }
}
