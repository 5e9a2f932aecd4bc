import { createHmac, type KeyObject } from 'node:crypto';
import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Durations } from '../config/env.schema.js';
import { DatabaseLock } from '../database/database-lock.js';
import type { InstanceEvents } from '../redis/instance-events.js';
import {
  decryptPrivateKey,
  encryptPrivateKey,
  generateSigningKey,
  publicKeyOf,
  UndecryptableKeyError,
  type KeyAlgorithm,
  type PublicJwk,
  type SigningAlgorithm,
} from './key-material.js';
import { activeKey, keyStates, nextKeyDue, type KeyState, type KeyStatus } from './key-states.js';
import type { KeyStore } from './key-store.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { NoSignerError } from './no-signer.error.js';
import { describeError } from '../logging/loggable-error.js';

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

/** Instances take this advisory lock to create or change keys, so two never both rotate. */
const KEYS_LOCK = 'nest-jwt-auth:keys';
/** At most one reload of the keys per this long for tokens naming a kid this process does not know. */
const UNKNOWN_KID_RELOAD_MS = 1_000;

export interface SigningKeysOptions {
  algorithm: SigningAlgorithm;
  /** JWT_SECRET (or the generated one): the HS256 key, and what private keys are wrapped with. */
  secret: KeyObject;
  /** The AES-256-GCM key of the stored private keys (key-material.ts). */
  wrappingKey: Buffer;
  /** Whether this process makes keys when due (the service) or only when told (the CLI). */
  maintain: boolean;
  durations: Pick<
    Durations,
    'accessTokenAcceptedMs' | 'clockToleranceMs' | 'keyRotationMs' | 'jwksMaxAgeMs' | 'revocationPollMs'
  >;
}

/**
 * The signing keys of this process (docs/tokens.md#signing-keys). With ES256 or RS256 they live
 * in the database, so every instance shares them; each process holds them in memory (public keys
 * by kid, the active private key decrypted), so signing and verifying never wait on the
 * database. It reads them again on every change another process announces (`keys.changed`,
 * with REDIS_URL), every REVOCATION_POLL_INTERVAL otherwise, and at most once a second for a
 * token naming a kid it does not know. Which key is active follows from the stored times, so
 * instances switch at the same moment without a message. With HS256 one key, JWT_SECRET, does
 * everything and the JWKS is empty.
 */
export class SigningKeys implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SigningKeys.name);
  private rows: SigningKeyEntity[] = [];
  private readonly privateKeys = new Map<string, KeyObject>();
  private readonly undecryptable = new Set<string>();
  private verifiers = new Map<string, Verifier>();
  private signer?: Signer;
  private jwksBody = '{"keys":[]}';
  /** When the states computed last change by the clock alone (a next key's time, a retirement). */
  private statesValidUntil = Number.POSITIVE_INFINITY;
  private lastReload = 0;
  private reloading?: Promise<void>;
  private poller?: NodeJS.Timeout;
  /** When the poll began to fail, while it does. */
  private failingSince?: Date;

  constructor(
    private readonly options: SigningKeysOptions,
    private readonly store: KeyStore,
    private readonly lock: DatabaseLock,
    private readonly events?: InstanceEvents,
  ) {
    events?.on('keys.changed', () => this.reloadInBackground());
    events?.onResync(() => this.reloadInBackground());
  }

  get algorithm(): SigningAlgorithm {
    return this.options.algorithm;
  }

  /** Creates the first key (or the next one, or one of a newly configured algorithm), then loads them. */
  async onModuleInit(): Promise<void> {
    if (this.options.algorithm === 'HS256') {
      const kid = hs256Kid(this.options.secret);
      this.signer = { kid, algorithm: 'HS256', key: this.options.secret };
      this.verifiers = new Map([
        [kid, { algorithm: 'HS256', key: this.options.secret, acceptedFrom: 0, acceptedUntil: null }],
      ]);
      return;
    }
    if (!this.options.maintain) {
      await this.reload();
      return;
    }
    await this.maintain();
    this.poller = setInterval(() => {
      this.maintain().then(
        () => {
          if (this.failingSince !== undefined) {
            this.logger.log(`signing keys read again (failing since ${this.failingSince.toISOString()})`);
            this.failingSince = undefined;
          }
        },
        (error: unknown) => {
          // Once per outage, not every poll: the keys held in memory go on signing and verifying.
          if (this.failingSince === undefined) {
            this.failingSince = new Date();
            this.logger.error(
              `reading the signing keys failed, going on with those in memory: ${describeError(error)}`,
            );
          }
        },
      );
    }, this.options.durations.revocationPollMs).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.poller);
  }

  /** The key to sign with now: never one the JWKS does not publish. */
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
   * The key named by a token's `kid`, if tokens signed with it are accepted now. A kid without a
   * key (a rotation another process just made) makes this process read the keys again, at most
   * once a second, so a forger sending random kids costs one small query a second.
   */
  async verifierFor(kid: string | undefined): Promise<Verifier | undefined> {
    if (kid === undefined) {
      return this.legacyVerifier();
    }
    const found = this.acceptedVerifier(kid);
    if (found !== undefined || this.options.algorithm === 'HS256') {
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

  /** Whether tokens of this kid are accepted now: the remembered-token path's one check. */
  accepts(kid: string | undefined): boolean {
    return (
      this.acceptedVerifier(kid) !== undefined || (kid === undefined && this.legacyVerifier() !== undefined)
    );
  }

  /** The JWKS document, serialised once per change. */
  jwks(): string {
    this.refreshIfStale();
    return this.jwksBody;
  }

  /** For the CLI: every stored key and its state now. */
  async list(): Promise<KeyListing[]> {
    this.requireStoredKeys();
    const rows = await this.store.all();
    return keyStates(rows, Date.now(), this.options.durations.accessTokenAcceptedMs).map(
      ({ key, state }) => ({
        kid: key.kid,
        algorithm: key.algorithm,
        state,
        createdAt: key.createdAt,
        activatesAt: key.activatesAt,
        revokedAt: key.revokedAt,
      }),
    );
  }

  /**
   * Publishes a new key that takes over after JWKS_MAX_AGE, or with `now` at once (the next key,
   * if there is one, else a new one). A next key already waiting is left as it is.
   */
  async rotate({
    now: atOnce,
  }: {
    now: boolean;
  }): Promise<{ kid: string; created: boolean; activatesAt: Date }> {
    this.requireStoredKeys();
    const outcome = await this.lock.run(KEYS_LOCK, async () => {
      const now = Date.now();
      const statuses = this.states(await this.store.all(), now);
      const waiting = statuses.filter(({ state }) => state === 'next').at(-1)?.key;
      if (waiting !== undefined) {
        if (atOnce) {
          await this.store.setActivatesAt(waiting.kid, new Date(now));
          return { kid: waiting.kid, created: false, activatesAt: new Date(now) };
        }
        return { kid: waiting.kid, created: false, activatesAt: waiting.activatesAt };
      }
      const activatesAt = new Date(atOnce ? now : now + this.options.durations.jwksMaxAgeMs);
      const key = await this.create(activatesAt, now, activeKey(statuses));
      return { kid: key.kid, created: true, activatesAt };
    });
    await this.changed();
    return outcome;
  }

  /**
   * Takes a key out at once: out of the JWKS, its tokens refused. If it was signing, a new key
   * takes over first, so logins and refreshes go on; sessions survive (refresh issues tokens
   * signed with the new key).
   */
  async revoke(kid: string): Promise<{ replacedBy?: string; alreadyRevoked: boolean }> {
    this.requireStoredKeys();
    const outcome = await this.lock.run(KEYS_LOCK, async () => {
      const now = Date.now();
      const statuses = this.states(await this.store.all(), now);
      const status = statuses.find(({ key }) => key.kid === kid);
      if (status === undefined) {
        throw new UnknownKeyError(`no signing key ${kid}`);
      }
      if (status.state === 'revoked') {
        return { alreadyRevoked: true };
      }
      let replacedBy: string | undefined;
      if (status.state === 'active') {
        replacedBy = (await this.create(new Date(now), now)).kid;
      }
      await this.store.revoke(kid, new Date(now));
      return { replacedBy, alreadyRevoked: false };
    });
    await this.changed();
    return outcome;
  }

  /**
   * Keeps a usable active key and publishes the next one on time, then loads what is stored.
   * Runs at start-up and every poll interval; takes the lock only when something is to be made.
   */
  private async maintain(): Promise<void> {
    await this.reload();
    if (!this.needsKey(this.states(this.rows, Date.now()))) {
      return;
    }
    const made = await this.lock.run(KEYS_LOCK, async () => {
      // Read again under the lock: another instance may have just made it.
      const now = Date.now();
      const statuses = this.states(await this.store.all(), now);
      const need = this.needsKey(statuses);
      if (need === undefined) {
        return false;
      }
      await this.create(new Date(need.activatesAt), now, activeKey(statuses));
      return true;
    });
    if (made) {
      await this.changed();
    } else {
      // Another instance made it while this one waited for the lock: load what it made. (Three
      // instances starting together on an empty database left two without a key to sign with.)
      await this.reload();
    }
  }

  /**
   * When a key must be made: none can sign (first start, a new JWT_ALGORITHM, a secret that no
   * longer opens the stored keys), or the next one is due.
   */
  private needsKey(statuses: KeyStatus<SigningKeyEntity>[]): { activatesAt: number } | undefined {
    const now = Date.now();
    const active = activeKey(statuses);
    if (
      active === undefined ||
      active.algorithm !== this.options.algorithm ||
      this.privateKeyOf(active) === undefined
    ) {
      // A next key waiting for its time still takes over then, as planned.
      return { activatesAt: now };
    }
    const due = nextKeyDue(
      statuses,
      this.options.durations.keyRotationMs,
      this.options.durations.jwksMaxAgeMs,
    );
    if (due !== undefined && due.publishAt <= now) {
      // Late (the service was down): still published a full max-age before it signs.
      return { activatesAt: Math.max(due.activatesAt, now + this.options.durations.jwksMaxAgeMs) };
    }
    return undefined;
  }

  /**
   * Stores a new key. `supersedes`, the key active now, must rank before it: keys are ordered by
   * activation time, then creation time, so one made in the same millisecond as the key it
   * replaces (a restart with a new JWT_SECRET right after the first start) is created a
   * millisecond later; otherwise the kid decided, and half the time the old key, which this
   * process cannot open, stayed active and nothing could sign.
   */
  private async create(
    activatesAt: Date,
    now: number,
    supersedes?: SigningKeyEntity,
  ): Promise<SigningKeyEntity> {
    const createdAt =
      supersedes !== undefined && supersedes.activatesAt.getTime() === activatesAt.getTime()
        ? Math.max(now, supersedes.createdAt.getTime() + 1)
        : now;
    const algorithm = this.options.algorithm as KeyAlgorithm;
    const generated = await generateSigningKey(algorithm);
    const row = Object.assign(new SigningKeyEntity(), {
      kid: generated.kid,
      algorithm,
      publicJwk: JSON.stringify(generated.publicJwk),
      privateKey: encryptPrivateKey(generated.privateKey, this.options.wrappingKey, generated.kid),
      createdAt: new Date(createdAt),
      activatesAt,
      revokedAt: null,
    });
    await this.store.insert(row);
    this.privateKeys.set(row.kid, generated.privateKey);
    const when = activatesAt.getTime() <= now ? 'signing now' : `signing from ${activatesAt.toISOString()}`;
    this.logger.log(`created signing key ${row.kid} (${algorithm}), published in the JWKS, ${when}`);
    return row;
  }

  /** After a change made here: load it, and tell the other processes. */
  private async changed(): Promise<void> {
    await this.reload();
    this.events?.publish({ type: 'keys.changed' });
  }

  private reloadInBackground(): void {
    this.reload().catch((error: unknown) =>
      this.logger.error(`reloading signing keys failed: ${describeError(error)}`),
    );
  }

  /** Reads the keys again; concurrent callers share one query. */
  private reload(): Promise<void> {
    this.reloading ??= (async () => {
      try {
        this.lastReload = Date.now();
        this.rows = await this.store.all();
        this.apply(Date.now());
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private refreshIfStale(): void {
    if (Date.now() >= this.statesValidUntil) {
      this.apply(Date.now());
    }
  }

  private states(rows: SigningKeyEntity[], now: number): KeyStatus<SigningKeyEntity>[] {
    return keyStates(rows, now, this.options.durations.accessTokenAcceptedMs);
  }

  /** Recomputes the signer, the verifiers and the JWKS from the rows held, at `now`. */
  private apply(now: number): void {
    if (this.options.algorithm === 'HS256') {
      return;
    }
    const statuses = this.states(this.rows, now);
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

  /** The decrypted private key, or undefined (once logged) when this secret cannot open it. */
  private privateKeyOf(key: SigningKeyEntity): KeyObject | undefined {
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

  /** HS256 tokens issued before tokens named their key (no kid): the HS256 mode still takes them. */
  private legacyVerifier(): Verifier | undefined {
    return this.options.algorithm === 'HS256' ? this.verifiers.values().next().value : undefined;
  }

  private requireStoredKeys(): void {
    if (this.options.algorithm === 'HS256') {
      throw new NoStoredKeysError(
        'JWT_ALGORITHM is HS256: tokens are signed with JWT_SECRET and there are no stored keys (rotate JWT_SECRET instead, docs/tokens.md)',
      );
    }
  }
}

/** A name for the HS256 key that says nothing about it: HMAC of a fixed label, shortened. */
export function hs256Kid(secret: KeyObject): string {
  return `hs-${createHmac('sha256', secret).update('nest-jwt-auth kid').digest('base64url').slice(0, 16)}`;
}
