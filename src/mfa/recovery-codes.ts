import { createHmac, randomBytes } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
/** Crockford-like base32 without look-alikes (no 0/o, 1/l/i): easy to read off and type. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** `xxxxx-xxxxx`: 10 characters of a 31-letter alphabet, about 49 bits. */
export function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((byte) => ALPHABET[byte % ALPHABET.length]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/** What a user typed, folded to the stored form: case, spaces and hyphens do not matter. */
export function normalizeRecoveryCode(input: string): string {
  const bare = input.toLowerCase().replace(/[\s-]/g, '');
  return bare.length === 10 ? `${bare.slice(0, 5)}-${bare.slice(5)}` : bare;
}

/**
 * HMAC-SHA-256 under a key derived from the service secret, not argon2: the codes are random
 * (about 49 bits), not chosen by people, so a slow hash adds nothing a guesser could not skip,
 * and the key means a copy of the database alone cannot even test a guess offline. Being
 * deterministic, the hash is also the lookup key, so a code is checked and spent in one UPDATE.
 */
export function hashRecoveryCode(code: string, key: Buffer): string {
  return createHmac('sha256', key).update(normalizeRecoveryCode(code)).digest('base64url');
}
