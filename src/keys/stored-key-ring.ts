import type { KeyObject } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Durations } from '../config/env.schema.js';
import { describeError } from '../logging/loggable-error.js';
import type { InstanceEvents } from '../redis/instance-events.js';
import {
  decryptPrivateKey,
  publicKeyOf,
  UndecryptableKeyError,
  type KeyAlgorithm,
  type PublicJwk,
} from './key-material.js';
import { activeKey, keyStates, type KeyStatus } from './key-states.js';
import type { KeyStore } from './key-store.js';
import { EMPTY_JWKS, KEYS_LOG_CONTEXT, KeyRing, type Signer, type Verifier } from './key-ring.js';
import type { SigningKeyEntity } from './signing-key.entity.js';
import { NoSignerError } from './no-signer.error.js';

/** What the stored keys' ring, maintenance and actions are configured with. */
export interface StoredKeysOptions {
  /** JWT_ALGORITHM: the algorithm new keys are made in, and the only one the active key may sign in. */
  algorithm: KeyAlgorithm;
  /** The AES-256-GCM key of the stored private keys (key-material.ts). */
  wrappingKey: Buffer;
  durations: Pick<
    Durations,
    'accessTokenAcceptedMs' | 'clockToleranceMs' | 'keyRotationMs' | 'jwksMaxAgeMs' | 'revocationPollMs'
  >;
}

/** At most one reload of the keys per this long for tokens naming a kid this process does not know. */
const UNKNOWN_KID_RELOAD_MS = 1_000;

/** Every key's state at `now`, as the rows' stored times decide it. */
export const statesAt = (
  rows: SigningKeyEntity[],
  now: number,
  { durations }: Pick<StoredKeysOptions, 'durations'>,
): KeyStatus<SigningKeyEntity>[] => keyStates(rows, now, durations.accessTokenAcceptedMs);

/**
 * ES256 or RS256 keys kept in the database, so every instance shares them. This process holds
 * them in memory (public keys by kid, the active private key decrypted) and reads them again on
 * every change another process announces (`keys.changed`, with REDIS_URL), when KeyMaintenance
 * polls, and at most once a second for a token naming a kid it does not know. Which key is
 * active follows from the stored times, so instances switch at the same moment without a message.
 */
export class StoredKeyRing extends KeyRing {
  /** Both, whatever JWT_ALGORITHM is now: tokens of a key of the other one stay valid until they expire. */
  readonly algorithms = ['ES256', 'RS256'] as const;
  private readonly logger = new Logger(KEYS_LOG_CONTEXT);
  private held: SigningKeyEntity[] = [];
  private readonly privateKeys = new Map<string, KeyObject>();
  private readonly undecryptable = new Set<string>();
  private verifiers = new Map<string, Verifier>();
  private signer?: Signer;
  private jwksBody = EMPTY_JWKS;
  /** When the states computed last change by the clock alone (a next key's time, a retirement). */
  private statesValidUntil = Number.POSITIVE_INFINITY;
  private lastReload = 0;
  private reloading?: Promise<void>;

  constructor(
    private readonly options: StoredKeysOptions,
    private readonly store: KeyStore,
    private readonly events?: InstanceEvents,
  ) {
    super();
    events?.on('keys.changed', () => this.reloadInBackground());
    events?.onResync(() => this.reloadInBackground());
  }

  currentSigner(): Signer {
    this.refreshIfStale();
    if (this.signer === undefined) {
      // Only for the moment a revocation or a secret change leaves no usable key, until the
      // next key is read: a 503 the client retries, not a fault.
      throw new NoSignerError();
    }
    return this.signer;
  }

  /**
   * A kid without a key (a rotation another process just made) makes this process read the keys
   * again, at most once a second, so a forger sending random kids costs one small query a second.
   * A token without a kid names no stored key.
   */
  async verifierFor(kid: string | undefined): Promise<Verifier | undefined> {
    if (kid === undefined) {
      return undefined;
    }
    const found = this.acceptedVerifier(kid);
    if (found !== undefined) {
      return found;
    }
    if (Date.now() - this.lastReload >= UNKNOWN_KID_RELOAD_MS) {
      // A database outage makes the kid unknown (401), not the request a fault: it was not ours yet.
      await this.reload().catch((error: unknown) =>
        this.logger.warn(`reading the signing keys for an unknown kid failed: ${describeError(error)}`),
      );
    }
    return this.acceptedVerifier(kid);
  }

  accepts(kid: string | undefined): boolean {
    return this.acceptedVerifier(kid) !== undefined;
  }

  jwks(): string {
    this.refreshIfStale();
    return this.jwksBody;
  }

  /** The rows read last. */
  get rows(): SigningKeyEntity[] {
    return this.held;
  }

  /** Reads the keys again; concurrent callers share one query. */
  reload(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        this.lastReload = Date.now();
        this.held = await this.store.all();
        this.apply(Date.now());
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  /** After a change made by this process: load it, and tell the other processes. */
  async changed(): Promise<void> {
    await this.reload();
    this.events?.publish({ type: 'keys.changed' });
  }

  /** A key this process has just made: its private key needs no decrypting. */
  addPrivateKey(kid: string, privateKey: KeyObject): void {
    this.privateKeys.set(kid, privateKey);
  }

  /** The decrypted private key, or undefined (once logged) when this secret cannot open it. */
  privateKeyOf(key: SigningKeyEntity): KeyObject | undefined {
    const known = this.privateKeys.get(key.kid);
    if (known !== undefined || this.undecryptable.has(key.kid)) {
      return known;
    }
    try {
      const privateKey = decryptPrivateKey(key.privateKey, this.options.wrappingKey, key.kid);
      this.privateKeys.set(key.kid, privateKey);
      return privateKey;
    } catch (error) {
      if (!(error instanceof UndecryptableKeyError)) throw error;
      this.undecryptable.add(key.kid);
      this.logger.warn(
        `${error.message}: a new key takes over; tokens it signed stay valid until they expire`,
      );
      return undefined;
    }
  }

  private reloadInBackground(): void {
    this.reload().catch((error: unknown) =>
      this.logger.error(`reloading signing keys failed: ${describeError(error)}`),
    );
  }

  private refreshIfStale(): void {
    if (Date.now() >= this.statesValidUntil) {
      this.apply(Date.now());
    }
  }

  /** Recomputes the signer, the verifiers and the JWKS from the rows held, at `now`. */
  private apply(now: number): void {
    const statuses = statesAt(this.held, now, this.options);
    const verifiers = new Map<string, Verifier>();
    const published: PublicJwk[] = [];
    let changesAt = Number.POSITIVE_INFINITY;
    for (const { key, state, acceptedUntil } of statuses) {
      if (state === 'next' || state === 'active' || state === 'retiring') {
        const jwk = JSON.parse(key.publicJwk) as PublicJwk;
        published.push(jwk);
        const activatesAt = key.activatesAt.getTime();
        verifiers.set(key.kid, {
          algorithm: key.algorithm,
          key: this.verifiers.get(key.kid)?.key ?? publicKeyOf(jwk),
          acceptedFrom: activatesAt - this.options.durations.clockToleranceMs,
          acceptedUntil,
        });
        if (state === 'next') changesAt = Math.min(changesAt, activatesAt);
        if (acceptedUntil !== null) changesAt = Math.min(changesAt, acceptedUntil);
      }
    }
    this.verifiers = verifiers;
    this.jwksBody = JSON.stringify({ keys: published });
    this.statesValidUntil = changesAt;
    const active = activeKey(statuses);
    const privateKey = active === undefined ? undefined : this.privateKeyOf(active);
    this.signer =
      active !== undefined && privateKey !== undefined && active.algorithm === this.options.algorithm
        ? { kid: active.kid, algorithm: active.algorithm, key: privateKey }
        : undefined;
    for (const kid of this.privateKeys.keys()) {
      if (!verifiers.has(kid)) this.privateKeys.delete(kid); // retired, revoked: no longer needed here
    }
  }

  private acceptedVerifier(kid: string | undefined): Verifier | undefined {
    const verifier = kid === undefined ? undefined : this.verifiers.get(kid);
    if (verifier === undefined) {
      return undefined;
    }
    const now = Date.now();
    return now >= verifier.acceptedFrom && (verifier.acceptedUntil === null || now < verifier.acceptedUntil)
      ? verifier
      : undefined;
  }
}
