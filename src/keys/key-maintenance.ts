import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { DatabaseLock } from '../database/database-lock.js';
import { describeError } from '../logging/loggable-error.js';
import { encryptPrivateKey, generateSigningKey } from './key-material.js';
import { activeKey, nextKeyDue, type KeyStatus } from './key-states.js';
import { KEYS_LOG_CONTEXT } from './key-ring.js';
import type { KeyStore } from './key-store.js';
import { SigningKeyEntity } from './signing-key.entity.js';
import { statesAt, type StoredKeyRing, type StoredKeysOptions } from './stored-key-ring.js';

/** Instances take this advisory lock to create or change keys, so two never both rotate. */
export const KEYS_LOCK = 'nest-jwt-auth:keys';

/**
 * Keeps the stored keys usable: at start-up and every REVOCATION_POLL_INTERVAL it reads them
 * into the ring, and makes the first key, the next one when the rotation schedule says so, or
 * one of a newly configured algorithm. The CLI (`maintain: false`) only reads them: it makes
 * keys when an operator says so (KeyActions), never by itself.
 */
export class KeyMaintenance implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(KEYS_LOG_CONTEXT);
  private poller?: NodeJS.Timeout;
  /** When the poll began to fail, while it does. */
  private failingSince?: Date;

  constructor(
    private readonly options: StoredKeysOptions & { maintain: boolean },
    private readonly ring: StoredKeyRing,
    private readonly store: KeyStore,
    private readonly lock: DatabaseLock,
  ) {}

  /** Creates the first key (or the next one, or one of a newly configured algorithm), then loads them. */
  async onModuleInit(): Promise<void> {
    if (!this.options.maintain) {
      await this.ring.reload();
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

  /**
   * Stores a new key, published at once, signing from `activatesAt`. Call under KEYS_LOCK.
   * `supersedes`, the key active now, must rank before it: keys are ordered by activation time,
   * then creation time, so one made in the same millisecond as the key it replaces is created a
   * millisecond later (docs/decisions.md#a-new-key-ranks-after-the-one-it-replaces).
   */
  async create(activatesAt: Date, now: number, supersedes?: SigningKeyEntity): Promise<SigningKeyEntity> {
    const createdAt =
      supersedes !== undefined && supersedes.activatesAt.getTime() === activatesAt.getTime()
        ? Math.max(now, supersedes.createdAt.getTime() + 1)
        : now;
    const { algorithm } = this.options;
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
    this.ring.addPrivateKey(row.kid, generated.privateKey);
    const when = activatesAt.getTime() <= now ? 'signing now' : `signing from ${activatesAt.toISOString()}`;
    this.logger.log(`created signing key ${row.kid} (${algorithm}), published in the JWKS, ${when}`);
    return row;
  }

  /**
   * Keeps a usable active key and publishes the next one on time, then loads what is stored.
   * Takes the lock only when something is to be made.
   */
  private async maintain(): Promise<void> {
    await this.ring.reload();
    if (!this.needsKey(statesAt(this.ring.rows, Date.now(), this.options))) {
      return;
    }
    const made = await this.lock.run(KEYS_LOCK, async () => {
      // Read again under the lock: another instance may have just made it.
      const now = Date.now();
      const statuses = statesAt(await this.store.all(), now, this.options);
      const need = this.needsKey(statuses);
      if (need === undefined) {
        return false;
      }
      await this.create(new Date(need.activatesAt), now, activeKey(statuses));
      return true;
    });
    if (made) {
      await this.ring.changed();
    } else {
      // Another instance made it while this one waited for the lock: load what it made.
      await this.ring.reload();
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
      this.ring.privateKeyOf(active) === undefined
    ) {
      // A next key waiting for its time still takes over then, as planned.
      return { activatesAt: now };
    }
    const { keyRotationMs, jwksMaxAgeMs } = this.options.durations;
    const due = nextKeyDue(statuses, keyRotationMs, jwksMaxAgeMs);
    if (due !== undefined && due.publishAt <= now) {
      // Late (the service was down): still published a full max-age before it signs.
      return { activatesAt: Math.max(due.activatesAt, now + jwksMaxAgeMs) };
    }
    return undefined;
  }
}
