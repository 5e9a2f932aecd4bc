import type { DatabaseLock } from '../database/database-lock.js';
import { KeyActions, UnknownKeyError, type KeyListing } from './key-actions.js';
import { KEYS_LOCK, type KeyMaintenance } from './key-maintenance.js';
import { activeKey } from './key-states.js';
import type { KeyStore } from './key-store.js';
import { statesAt, type StoredKeyRing, type StoredKeysOptions } from './stored-key-ring.js';

/**
 * The operators' actions on the stored keys, each read and made under KEYS_LOCK; what one
 * changes is loaded into this process's ring and announced to the others.
 */
export class StoredKeyActions extends KeyActions {
  constructor(
    private readonly options: Pick<StoredKeysOptions, 'durations'>,
    private readonly ring: StoredKeyRing,
    private readonly maintenance: KeyMaintenance,
    private readonly store: KeyStore,
    private readonly lock: DatabaseLock,
  ) {
    super();
  }

  async list(): Promise<KeyListing[]> {
    const rows = await this.store.all();
    return statesAt(rows, Date.now(), this.options).map(({ key, state }) => ({
      kid: key.kid,
      algorithm: key.algorithm,
      state,
      createdAt: key.createdAt,
      activatesAt: key.activatesAt,
      revokedAt: key.revokedAt,
    }));
  }

  async rotate({
    now: atOnce,
  }: {
    now: boolean;
  }): Promise<{ kid: string; created: boolean; activatesAt: Date }> {
    const outcome = await this.lock.run(KEYS_LOCK, async () => {
      const now = Date.now();
      const statuses = statesAt(await this.store.all(), now, this.options);
      const waiting = statuses.filter(({ state }) => state === 'next').at(-1)?.key;
      if (waiting !== undefined) {
        if (atOnce) {
          await this.store.setActivatesAt(waiting.kid, new Date(now));
          return { kid: waiting.kid, created: false, activatesAt: new Date(now) };
        }
        return { kid: waiting.kid, created: false, activatesAt: waiting.activatesAt };
      }
      const activatesAt = new Date(atOnce ? now : now + this.options.durations.jwksMaxAgeMs);
      const key = await this.maintenance.create(activatesAt, now, activeKey(statuses));
      return { kid: key.kid, created: true, activatesAt };
    });
    await this.ring.changed();
    return outcome;
  }

  async revoke(kid: string): Promise<{ replacedBy?: string; alreadyRevoked: boolean }> {
    const outcome = await this.lock.run(KEYS_LOCK, async () => {
      const now = Date.now();
      const statuses = statesAt(await this.store.all(), now, this.options);
      const status = statuses.find(({ key }) => key.kid === kid);
      if (status === undefined) {
        throw new UnknownKeyError(`no signing key ${kid}`);
      }
      if (status.state === 'revoked') {
        return { alreadyRevoked: true };
      }
      let replacedBy: string | undefined;
      if (status.state === 'active') {
        replacedBy = (await this.maintenance.create(new Date(now), now)).kid;
      }
      await this.store.revoke(kid, new Date(now));
      return { replacedBy, alreadyRevoked: false };
    });
    await this.ring.changed();
    return outcome;
  }
}
