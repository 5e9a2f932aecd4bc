import type { KeyAlgorithm } from './key-material.js';

/**
 * The life of a signing key (docs/tokens.md#signing-keys):
 * - next: published in the JWKS, not signing yet, so verifiers that cache the JWKS learn it first;
 * - active: signs (one key at a time);
 * - retiring: published and accepted, no longer signing, until every token it signed has expired;
 * - expired: neither published nor accepted; kept as a record;
 * - revoked: taken out at once by an operator (a compromised key).
 */
export type KeyState = 'next' | 'active' | 'retiring' | 'expired' | 'revoked';

/** What the lifecycle needs of a stored key. */
export interface KeyTimes {
  kid: string;
  algorithm: KeyAlgorithm;
  createdAt: Date;
  /** When it starts (or started) to sign. */
  activatesAt: Date;
  revokedAt: Date | null;
}

export interface KeyStatus<K extends KeyTimes = KeyTimes> {
  key: K;
  state: KeyState;
  /** Until when tokens it signed are accepted (ms since the epoch); null for no end yet. */
  acceptedUntil: number | null;
}

const byActivation = (a: KeyTimes, b: KeyTimes) =>
  a.activatesAt.getTime() - b.activatesAt.getTime() ||
  a.createdAt.getTime() - b.createdAt.getTime() ||
  (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0);

/** Whether the key ever signed: its time came before (or without) its revocation. */
const signedOnce = (key: KeyTimes, now: number) =>
  key.activatesAt.getTime() <= now &&
  (key.revokedAt === null || key.revokedAt.getTime() > key.activatesAt.getTime());

/**
 * The state of every key at `now`, from the stored times alone: every instance reading the same
 * rows agrees on the active key without telling each other when a next key's time comes.
 * `acceptedMs` is how long a token may be accepted after it is issued (TTL + clock tolerance).
 */
export function keyStates<K extends KeyTimes>(
  keys: readonly K[],
  now: number,
  acceptedMs: number,
): KeyStatus<K>[] {
  const ordered = [...keys].sort(byActivation);
  const live = ordered.filter((key) => key.revokedAt === null || key.revokedAt.getTime() > now);
  const active = live.filter((key) => key.activatesAt.getTime() <= now).at(-1);
  return ordered.map((key) => {
    if (key.revokedAt !== null && key.revokedAt.getTime() <= now) {
      return { key, state: 'revoked', acceptedUntil: 0 };
    }
    if (key.activatesAt.getTime() > now) {
      return { key, state: 'next', acceptedUntil: null };
    }
    if (key === active) {
      return { key, state: 'active', acceptedUntil: null };
    }
    // It stopped signing when the first key after it took over.
    const successor = ordered.find((other) => byActivation(other, key) > 0 && signedOnce(other, now));
    const acceptedUntil = (successor ?? key).activatesAt.getTime() + acceptedMs;
    return { key, state: now < acceptedUntil ? 'retiring' : 'expired', acceptedUntil };
  });
}

/** The key that signs at `now`, if any. */
export function activeKey<K extends KeyTimes>(statuses: readonly KeyStatus<K>[]): K | undefined {
  return statuses.find(({ state }) => state === 'active')?.key;
}

/**
 * When the next key must be created so that it is published `maxAgeMs` before it takes over
 * from `active`, `intervalMs` after `active` began to sign; undefined while a next key exists.
 */
export function nextKeyDue(
  statuses: readonly KeyStatus[],
  intervalMs: number,
  maxAgeMs: number,
): { publishAt: number; activatesAt: number } | undefined {
  const active = activeKey(statuses);
  if (active === undefined || statuses.some(({ state }) => state === 'next')) {
    return undefined;
  }
  const activatesAt = active.activatesAt.getTime() + intervalMs;
  return { publishAt: activatesAt - maxAgeMs, activatesAt };
}
