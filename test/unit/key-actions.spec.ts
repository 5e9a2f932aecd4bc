import { afterEach, describe, expect, it } from '@jest/globals';
import { NoStoredKeysError, UnknownKeyError } from '../../src/keys/key-actions.js';
import { StoredKeyActions } from '../../src/keys/stored-key-actions.js';
import {
  DURATIONS,
  keysOf,
  MemoryKeyStore,
  publishedKids,
  startStoredKeys as start,
  stopStoredKeys,
} from '../support/memory-keys.js';

afterEach(() => stopStoredKeys());

describe(StoredKeyActions.name, () => {
  it('should list every stored key with its state now', async () => {
    const store = new MemoryKeyStore();
    const { ring, actions } = await start(store);
    const old = ring.currentSigner().kid;
    const { kid } = await actions.rotate({ now: false });
    expect((await actions.list()).map(({ kid, algorithm, state }) => ({ kid, algorithm, state }))).toEqual([
      { kid: old, algorithm: 'ES256', state: 'active' },
      { kid, algorithm: 'ES256', state: 'next' },
    ]);
  });

  it('should rotate: a next key published, not accepted before its time, signing after JWKS_MAX_AGE', async () => {
    const store = new MemoryKeyStore();
    const { ring, actions } = await start(store);
    const old = ring.currentSigner().kid;
    const { kid, created, activatesAt } = await actions.rotate({ now: false });
    expect(created).toBe(true);
    expect(activatesAt.getTime()).toBeGreaterThanOrEqual(Date.now() + DURATIONS.jwksMaxAgeMs - 1_000);
    expect(publishedKids(ring)).toEqual([old, kid]);
    expect(ring.currentSigner().kid).toBe(old);
    expect(ring.accepts(kid)).toBe(false);
    // A second rotate leaves the waiting key as it is; --now makes it sign.
    expect((await actions.rotate({ now: false })).kid).toBe(kid);
    expect(await actions.rotate({ now: true })).toMatchObject({ kid, created: false });
    expect(ring.currentSigner().kid).toBe(kid);
    expect(ring.accepts(old)).toBe(true);
    expect(publishedKids(ring)).toEqual([old, kid]);
  });

  it('should revoke the active key with a new one taking over first, and refuse its tokens', async () => {
    const store = new MemoryKeyStore();
    const { ring, actions } = await start(store);
    const old = ring.currentSigner().kid;
    const { replacedBy } = await actions.revoke(old);
    expect(replacedBy).toBeDefined();
    expect(ring.currentSigner().kid).toBe(replacedBy);
    expect(ring.accepts(old)).toBe(false);
    expect(await ring.verifierFor(old)).toBeUndefined();
    expect(publishedKids(ring)).toEqual([replacedBy]);
    expect(await actions.revoke(old)).toEqual({ alreadyRevoked: true });
    await expect(actions.revoke('nope')).rejects.toThrow(UnknownKeyError);
  });

  describe('with HS256', () => {
    it('should refuse every action, touching no stored key', async () => {
      const store = new MemoryKeyStore();
      const { actions, maintenance } = keysOf(store, { algorithm: 'HS256' });
      expect(maintenance).toBeNull();
      await expect(actions.rotate({ now: true })).rejects.toThrow(NoStoredKeysError);
      await expect(actions.revoke('nope')).rejects.toThrow(NoStoredKeysError);
      await expect(actions.list()).rejects.toThrow(/^JWT_ALGORITHM is HS256: .*rotate JWT_SECRET instead/);
      expect(store.rows).toHaveLength(0);
      expect(store.reads).toBe(0);
    });
  });
});
