import type { KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from './key-material.js';

/** The key a token is signed with now. */
export interface Signer {
  kid: string;
  algorithm: SigningAlgorithm;
  key: KeyObject;
}

/** A key tokens are checked against, pinned to its algorithm, and when it is accepted. */
export interface Verifier {
  algorithm: SigningAlgorithm;
  key: KeyObject;
  /** ms since the epoch; a next key is accepted a clock tolerance before its time. */
  acceptedFrom: number;
  acceptedUntil: number | null;
}

/** The context of every log line about keys: the one they had before the split, which filters may name. */
export const KEYS_LOG_CONTEXT = 'SigningKeys';

/** The JWKS of a ring that publishes no key. */
export const EMPTY_JWKS = '{"keys":[]}';

/**
 * The keys tokens are signed and verified with, as the JWT strategy, AuthService and the JWKS
 * see them (docs/tokens.md#signing-keys). Every read is from memory, so signing and verifying
 * never wait on the database. KeysModule provides one of two by JWT_ALGORITHM: SecretKeyRing
 * (HS256, JWT_SECRET) or StoredKeyRing (ES256 or RS256 keys in the database, rotating).
 */
export abstract class KeyRing {
  /** The algorithms a token may name: a second lock behind each key's own pin. */
  abstract readonly algorithms: readonly SigningAlgorithm[];

  /** The key to sign with now: never one the JWKS does not publish. */
  abstract currentSigner(): Signer;

  /** The key named by a token's `kid` (undefined: it names none), if its tokens are accepted now. */
  abstract verifierFor(kid: string | undefined): Promise<Verifier | undefined>;

  /** Whether tokens of this kid are accepted now: the remembered-token path's one check. */
  abstract accepts(kid: string | undefined): boolean;

  /** The JWKS document, serialised once per change. */
  abstract jwks(): string;
}
