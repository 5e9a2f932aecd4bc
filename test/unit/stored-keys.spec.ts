import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { KeyMaintenance } from '../../src/keys/key-maintenance.js';
import { StoredKeyRing } from '../../src/keys/stored-key-ring.js';
import {
  DURATIONS,
  MemoryKeyStore,
  publishedKids,
  startStoredKeys as start,
  stopStoredKeys,
} from '../support/memory-keys.js';

/** Key generation runs on libuv's threads, which fake timers do not wait for. */
async function made(store: MemoryKeyStore, rows: number): Promise<void> {
  for (let turn = 0; turn < 10_000 && store.rows.length < rows; turn++) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

afterEach(() => {
  stopStoredKeys();
  jest.useRealTimers();
});

describe(`${StoredKeyRing.name} kept by ${KeyMaintenance.name}`, () => {
  it('should create one active ES256 key on first start, publish it and sign with it', async () => {
    const store = new MemoryKeyStore();
    const { ring } = await start(store);
    expect(store.rows).toHaveLength(1);
    const signer = ring.currentSigner();
    expect(signer).toMatchObject({ kid: store.rows[0].kid, algorithm: 'ES256' });
    expect(signer.key.type).toBe('private');
    expect(publishedKids(ring)).toEqual([signer.kid]);
    expect((await ring.verifierFor(signer.kid))?.key.type).toBe('public');
  });

  it('should reuse the stored key on the next start, and make none on a second instance', async () => {
    const store = new MemoryKeyStore();
    const secret = randomBytes(48);
    const first = await start(store, { secret });
    const second = await start(store, { secret });
    expect(store.rows).toHaveLength(1);
    expect(second.ring.currentSigner().kid).toBe(first.ring.currentSigner().kid);
  });

  it('should give every instance starting together on an empty database the one key the first made', async () => {
    // Three instances starting together on an empty database once left two without a key to sign with.
    const store = new MemoryKeyStore();
    const secret = randomBytes(48);
    const instances = await Promise.all([
      start(store, { secret }),
      start(store, { secret }),
      start(store, { secret }),
    ]);
    expect(store.rows).toHaveLength(1);
    for (const { ring } of instances) {
      expect(ring.currentSigner().kid).toBe(store.rows[0].kid);
    }
  });

  it('should make a new key when the stored one does not open with this secret, keeping the old one accepted', async () => {
    const store = new MemoryKeyStore();
    const old = (await start(store)).ring.currentSigner().kid;
    const { ring } = await start(store); // another random secret
    expect(store.rows).toHaveLength(2);
    expect(ring.currentSigner().kid).not.toBe(old);
    expect(ring.accepts(old)).toBe(true);
  });

  it('should let the new key sign when it is made in the same millisecond as the one it replaces', async () => {
    // Which of two keys activated and created in the same ms signs was left to their kids.
    for (const algorithm of ['ES256', 'RS256'] as const) {
      for (let round = 0; round < 8; round++) {
        const store = new MemoryKeyStore();
        const now = jest.spyOn(Date, 'now').mockReturnValue(1_800_000_000_000);
        const secret = randomBytes(48);
        const old = (await start(store, { secret })).ring.currentSigner().kid;
        const newSecret = await start(store); // the stored key does not open with this one
        const newAlgorithm = await start(store, { secret, algorithm });
        now.mockRestore();
        expect(newSecret.ring.currentSigner().kid).not.toBe(old);
        expect(newAlgorithm.ring.currentSigner().algorithm).toBe(algorithm);
      }
    }
  });

  it('should switch to a newly configured algorithm at once, the old key retiring', async () => {
    const store = new MemoryKeyStore();
    const secret = randomBytes(48);
    const es = (await start(store, { secret })).ring.currentSigner().kid;
    const { ring } = await start(store, { secret, algorithm: 'RS256' });
    expect(ring.currentSigner().algorithm).toBe('RS256');
    expect((await ring.verifierFor(es))?.algorithm).toBe('ES256');
    expect(ring.algorithms).toEqual(['ES256', 'RS256']);
  });

  it('should switch keys by the clock alone, on every instance, when a next key’s time comes', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    const store = new MemoryKeyStore();
    const secret = randomBytes(48);
    const one = await start(store, { secret });
    const other = await start(store, { secret });
    const { kid } = await one.actions.rotate({ now: false });
    jest.setSystemTime(Date.now() + 1_100);
    await other.ring.verifierFor('x'.repeat(43)); // an unknown kid reads the keys again
    expect(publishedKids(other.ring)).toContain(kid);
    jest.setSystemTime(Date.now() + DURATIONS.jwksMaxAgeMs + 1);
    expect(one.ring.currentSigner().kid).toBe(kid);
    expect(other.ring.currentSigner().kid).toBe(kid);
  });

  it('should publish the next key on the poll JWKS_MAX_AGE before KEY_ROTATION_INTERVAL ends', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    const store = new MemoryKeyStore();
    const { ring } = await start(store);
    const first = store.rows[0];
    const handOver = first.activatesAt.getTime() + DURATIONS.keyRotationMs;
    jest.setSystemTime(handOver - DURATIONS.jwksMaxAgeMs - DURATIONS.revocationPollMs - 1);
    await jest.advanceTimersByTimeAsync(DURATIONS.revocationPollMs);
    expect(store.rows).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(DURATIONS.revocationPollMs * 3);
    await made(store, 2);
    expect(store.rows).toHaveLength(2);
    // Made on the first poll after its publishing time: still published a full max-age ahead.
    const next = store.rows[1];
    expect(next.activatesAt.getTime()).toBe(next.createdAt.getTime() + DURATIONS.jwksMaxAgeMs);
    expect(next.activatesAt.getTime()).toBeGreaterThanOrEqual(handOver);
    expect(next.activatesAt.getTime()).toBeLessThan(handOver + DURATIONS.revocationPollMs);
    expect(publishedKids(ring)).toEqual([first.kid, store.rows[1].kid]);
    expect(ring.currentSigner().kid).toBe(first.kid);
  });

  it('should still publish a late next key a full JWKS_MAX_AGE before it signs', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    const store = new MemoryKeyStore();
    const secret = randomBytes(48);
    await start(store, { secret });
    const first = store.rows[0];
    stopStoredKeys(); // the service is down when the next key is due
    const restart = first.activatesAt.getTime() + DURATIONS.keyRotationMs + 60_000;
    jest.setSystemTime(restart);
    const { ring } = await start(store, { secret });
    expect(store.rows).toHaveLength(2);
    expect(store.rows[1].activatesAt.getTime()).toBe(restart + DURATIONS.jwksMaxAgeMs);
    expect(ring.currentSigner().kid).toBe(first.kid);
  });

  it('should read the keys at most once a second for kids it does not know', async () => {
    const store = new MemoryKeyStore();
    const { ring } = await start(store);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    const before = store.reads;
    for (let i = 0; i < 50; i++) {
      expect(await ring.verifierFor(`unknown-${i}`)).toBeUndefined();
    }
    expect(store.reads - before).toBe(1);
  });

  it('should answer a known kid from memory, without reading the store', async () => {
    const store = new MemoryKeyStore();
    const { ring } = await start(store);
    const { kid } = ring.currentSigner();
    const before = store.reads;
    expect(ring.accepts(kid)).toBe(true);
    expect((await ring.verifierFor(kid))?.algorithm).toBe('ES256');
    expect(store.reads).toBe(before);
  });

  it('should learn a key another process made when a token names it', async () => {
    const store = new MemoryKeyStore();
    const secret = randomBytes(48);
    const one = await start(store, { secret });
    const other = await start(store, { secret });
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    const { kid } = await one.actions.rotate({ now: true });
    expect((await other.ring.verifierFor(kid))?.algorithm).toBe('ES256');
  });

  it('should make no key in the CLI (maintain: false), even on an empty table', async () => {
    const store = new MemoryKeyStore();
    const { actions } = await start(store, { maintain: false });
    expect(store.rows).toHaveLength(0);
    expect(await actions.list()).toEqual([]);
  });

  it('should go on with the keys in memory while the database is down, saying so once per outage', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    const store = new MemoryKeyStore();
    const { ring } = await start(store);
    const signer = ring.currentSigner();
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const all = jest.spyOn(store, 'all').mockRejectedValue(new Error('connect ECONNREFUSED'));
    for (let i = 0; i < 3; i++) await jest.advanceTimersByTimeAsync(DURATIONS.revocationPollMs);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(ring.currentSigner()).toBe(signer);
    all.mockRestore();
    await jest.advanceTimersByTimeAsync(DURATIONS.revocationPollMs);
    expect(logs).toHaveBeenCalledWith(expect.stringMatching(/^signing keys read again/));
    errors.mockRestore();
    logs.mockRestore();
  });

  it('should refuse a token without kid when keys are asymmetric', async () => {
    const { ring } = await start(new MemoryKeyStore());
    expect(await ring.verifierFor(undefined)).toBeUndefined();
    expect(ring.accepts(undefined)).toBe(false);
  });
});
