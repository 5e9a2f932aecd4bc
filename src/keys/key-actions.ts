import type { KeyAlgorithm } from './key-material.js';
import type { KeyState } from './key-states.js';

/** One row of `npm run keys -- list`. */
export interface KeyListing {
  kid: string;
  algorithm: KeyAlgorithm;
  state: KeyState;
  createdAt: Date;
  activatesAt: Date;
  revokedAt: Date | null;
}

export class UnknownKeyError extends Error {
  override name = 'UnknownKeyError';
}

/** The HS256 mode's one key has no row; JWT_ALGORITHM=HS256 has nothing to rotate or revoke. */
export class NoStoredKeysError extends Error {
  override name = 'NoStoredKeysError';
}

/**
 * What an operator does to the signing keys (`npm run keys`, docs/cli.md#signing-keys).
 * KeysModule provides StoredKeyActions, or with JWT_ALGORITHM=HS256 NoStoredKeyActions.
 */
export abstract class KeyActions {
  /** Every stored key and its state now. */
  abstract list(): Promise<KeyListing[]>;

  /**
   * Publishes a new key that takes over after JWKS_MAX_AGE, or with `now` at once (the next key,
   * if there is one, else a new one). A next key already waiting is left as it is.
   */
  abstract rotate(options: { now: boolean }): Promise<{ kid: string; created: boolean; activatesAt: Date }>;

  /**
   * Takes a key out at once: out of the JWKS, its tokens refused. If it was signing, a new key
   * takes over first, so logins and refreshes go on; sessions survive (refresh issues tokens
   * signed with the new key).
   */
  abstract revoke(kid: string): Promise<{ replacedBy?: string; alreadyRevoked: boolean }>;
}

/** JWT_ALGORITHM=HS256: tokens are signed with JWT_SECRET, so every action is refused. */
export class NoStoredKeyActions extends KeyActions {
  list(): Promise<never> {
    return this.refuse();
  }

  rotate(): Promise<never> {
    return this.refuse();
  }

  revoke(): Promise<never> {
    return this.refuse();
  }

  private refuse(): Promise<never> {
    return Promise.reject(
      new NoStoredKeysError(
        'JWT_ALGORITHM is HS256: tokens are signed with JWT_SECRET and there are no stored keys (rotate JWT_SECRET instead, docs/tokens.md)',
      ),
    );
  }
}
