import { createSecretKey, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { DatabaseLock } from '../../src/database/database-lock.js';
import { deriveWrappingKey, type SigningAlgorithm } from '../../src/keys/key-material.js';
import type { KeyStore } from '../../src/keys/key-store.js';
import type { SigningKeyEntity } from '../../src/keys/signing-key.entity.js';
import { NoStoredKeysError, SigningKeys, UnknownKeyError } from '../../src/keys/signing-keys.js';

const MIN = 60_000;
const DURATIONS = {
  accessTokenAcceptedMs: 15 * MIN + 30_000,
  clockToleranceMs: 30_000,
  keyRotationMs: 30 * 24 * 60 * MIN,
  jwksMaxAgeMs: 5 * MIN,
  revocationPollMs: 2_000,
};

/** The table as rows in memory, with what the store was asked counted. */
class MemoryStore {
  rows: SigningKeyEntity[] = [];
  reads = 0;
  all() {
    this.reads++;
    return Promise.resolve(this.rows.map((row) => ({ ...row })));
  }
  insert(row: SigningKeyEntity) {
    this.rows.push({ ...row });
    return Promise.resolve();
  }
  setActivatesAt(kid: string, at: Date) {
    this.rows.find((row) => row.kid === kid)!.activatesAt = at;
    return Promise.resolve();
  }
  revoke(kid: string, at: Date) {
    this.rows.find((row) => row.kid === kid)!.revokedAt = at;
    return Promise.resolve();
  }
}

/** The advisory lock as PostgreSQL gives it: one holder at a time, the others wait. */
let held: Promise<unknown> = Promise.resolve();
const lock = {
  run: <T>(_name: string, work: () => Promise<T>): Promise<T> => {
    const turn = held.then(work, work);
    held = turn.catch(() => undefined);
    return turn;
  },
} as unknown as DatabaseLock;
const started: SigningKeys[] = [];

async function start(
  store: MemoryStore,
  {
    algorithm = 'ES256',
    secret = randomBytes(48),
    maintain = true,
  }: { algorithm?: SigningAlgorithm; secret?: Buffer; maintain?: boolean } = {},
) {
  const keys = new SigningKeys(
    {
      algorithm,
      secret: createSecretKey(secret),
      wrappingKey: deriveWrappingKey(secret),
      durations: DURATIONS,
      maintain,
    },
    store as unknown as KeyStore,
    lock,
  );
  await keys.onModuleInit();
  started.push(keys);
  return keys;
}

const jwks = (keys: SigningKeys) =>
  (JSON.parse(keys.jwks()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

afterEach(() => {
  started.splice(0).forEach((keys) => keys.onModuleDestroy());
  jest.useRealTimers();
});

describe('SigningKeys', () => {
  it('should create one active ES256 key on first start, publish it and sign with it', async () => {
    const store = new MemoryStore();
    const keys = await start(store);
    expect(store.rows).toHaveLength(1);
    const signer = keys.currentSigner();
    expect(signer).toMatchObject({ kid: store.rows[0].kid, algorithm: 'ES256' });
    expect(signer.key.type).toBe('private');
    expect(jwks(keys)).toEqual([signer.kid]);
    expect((await keys.verifierFor(signer.kid))?.key.type).toBe('public');
  });

  it('should reuse the stored key on the next start, and make none on a second instance', async () => {
    const store = new MemoryStore();
    const secret = randomBytes(48);
    const first = await start(store, { secret });
    const second = await start(store, { secret });
    expect(store.rows).toHaveLength(1);
    expect(second.currentSigner().kid).toBe(first.currentSigner().kid);
  });

  it('should give every instance starting together on an empty database the one key the first made', async () => {
    const store = new MemoryStore();
    const secret = randomBytes(48);
    const instances = await Promise.all([
      start(store, { secret }),
      start(store, { secret }),
      start(store, { secret }),
    ]);
    expect(store.rows).toHaveLength(1);
    for (const keys of instances) {
      expect(keys.currentSigner().kid).toBe(store.rows[0].kid);
    }
  });

  it('should make a new key when the stored one does not open with this secret, keeping the old one accepted', async () => {
    const store = new MemoryStore();
    const old = (await start(store)).currentSigner().kid;
    const keys = await start(store); // another random secret
    expect(store.rows).toHaveLength(2);
    expect(keys.currentSigner().kid).not.toBe(old);
    expect(keys.accepts(old)).toBe(true);
  });

  it('should let the new key sign when it is made in the same millisecond as the one it replaces', async () => {
    // Which of two keys activated and created in the same ms signs was left to their kids.
    for (const algorithm of ['ES256', 'RS256'] as const) {
      for (let round = 0; round < 8; round++) {
        const store = new MemoryStore();
        const now = jest.spyOn(Date, 'now').mockReturnValue(1_800_000_000_000);
        const secret = randomBytes(48);
        const old = (await start(store, { secret })).currentSigner().kid;
        const newSecret = await start(store); // the stored key does not open with this one
        const newAlgorithm = await start(store, { secret, algorithm });
        now.mockRestore();
        expect(newSecret.currentSigner().kid).not.toBe(old);
        expect(newAlgorithm.currentSigner().algorithm).toBe(algorithm);
      }
    }
  });

  it('should switch to a newly configured algorithm at once, the old key retiring', async () => {
    const store = new MemoryStore();
    const secret = randomBytes(48);
    const es = (await start(store, { secret })).currentSigner().kid;
    const keys = await start(store, { secret, algorithm: 'RS256' });
    expect(keys.currentSigner().algorithm).toBe('RS256');
    expect((await keys.verifierFor(es))?.algorithm).toBe('ES256');
  });

  it('should rotate: a next key published, not accepted before its time, signing after JWKS_MAX_AGE', async () => {
    const store = new MemoryStore();
    const keys = await start(store);
    const old = keys.currentSigner().kid;
    const { kid, created, activatesAt } = await keys.rotate({ now: false });
    expect(created).toBe(true);
    expect(activatesAt.getTime()).toBeGreaterThanOrEqual(Date.now() + DURATIONS.jwksMaxAgeMs - 1_000);
    expect(jwks(keys)).toEqual([old, kid]);
    expect(keys.currentSigner().kid).toBe(old);
    expect(keys.accepts(kid)).toBe(false);
    // A second rotate leaves the waiting key as it is; --now makes it sign.
    expect((await keys.rotate({ now: false })).kid).toBe(kid);
    expect(await keys.rotate({ now: true })).toMatchObject({ kid, created: false });
    expect(keys.currentSigner().kid).toBe(kid);
    expect(keys.accepts(old)).toBe(true);
    expect(jwks(keys)).toEqual([old, kid]);
  });

  it('should switch keys by the clock alone, on every instance, when a next key’s time comes', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    const store = new MemoryStore();
    const secret = randomBytes(48);
    const one = await start(store, { secret });
    const other = await start(store, { secret });
    const { kid } = await one.rotate({ now: false });
    jest.setSystemTime(Date.now() + 1_100);
    await other.verifierFor('x'.repeat(43)); // an unknown kid reads the keys again
    expect(jwks(other)).toContain(kid);
    jest.setSystemTime(Date.now() + DURATIONS.jwksMaxAgeMs + 1);
    expect(one.currentSigner().kid).toBe(kid);
    expect(other.currentSigner().kid).toBe(kid);
  });

  it('should revoke the active key with a new one taking over first, and refuse its tokens', async () => {
    const store = new MemoryStore();
    const keys = await start(store);
    const old = keys.currentSigner().kid;
    const { replacedBy } = await keys.revoke(old);
    expect(replacedBy).toBeDefined();
    expect(keys.currentSigner().kid).toBe(replacedBy);
    expect(keys.accepts(old)).toBe(false);
    expect(await keys.verifierFor(old)).toBeUndefined();
    expect(jwks(keys)).toEqual([replacedBy]);
    expect(await keys.revoke(old)).toEqual({ alreadyRevoked: true });
    await expect(keys.revoke('nope')).rejects.toThrow(UnknownKeyError);
  });

  it('should read the keys at most once a second for kids it does not know', async () => {
    const store = new MemoryStore();
    const keys = await start(store);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    const before = store.reads;
    for (let i = 0; i < 50; i++) {
      expect(await keys.verifierFor(`unknown-${i}`)).toBeUndefined();
    }
    expect(store.reads - before).toBe(1);
  });

  it('should learn a key another process made when a token names it', async () => {
    const store = new MemoryStore();
    const secret = randomBytes(48);
    const one = await start(store, { secret });
    const other = await start(store, { secret });
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    const { kid } = await one.rotate({ now: true });
    expect((await other.verifierFor(kid))?.algorithm).toBe('ES256');
  });

  it('should make no key in the CLI (maintain: false), even on an empty table', async () => {
    const store = new MemoryStore();
    const keys = await start(store, { maintain: false });
    expect(store.rows).toHaveLength(0);
    expect(await keys.list()).toEqual([]);
  });

  it('should go on with the keys in memory while the database is down, saying so once per outage', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    const store = new MemoryStore();
    const keys = await start(store);
    const signer = keys.currentSigner();
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const all = jest.spyOn(store, 'all').mockRejectedValue(new Error('connect ECONNREFUSED'));
    for (let i = 0; i < 3; i++) await jest.advanceTimersByTimeAsync(DURATIONS.revocationPollMs);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(keys.currentSigner()).toBe(signer);
    all.mockRestore();
    await jest.advanceTimersByTimeAsync(DURATIONS.revocationPollMs);
    expect(logs).toHaveBeenCalledWith(expect.stringMatching(/^signing keys read again/));
    errors.mockRestore();
    logs.mockRestore();
  });

  describe('with HS256', () => {
    it('should sign and verify with JWT_SECRET under a kid that says nothing of it, publishing nothing', async () => {
      const store = new MemoryStore();
      const secret = randomBytes(48);
      const keys = await start(store, { algorithm: 'HS256', secret });
      const signer = keys.currentSigner();
      expect(signer.algorithm).toBe('HS256');
      expect(signer.kid).toMatch(/^hs-[\w-]{16}$/);
      expect(signer.kid).not.toContain(secret.toString('base64url').slice(0, 8));
      expect(jwks(keys)).toEqual([]);
      expect(store.rows).toHaveLength(0);
      // Tokens of before kids existed (no kid) are still taken.
      expect((await keys.verifierFor(undefined))?.algorithm).toBe('HS256');
      await expect(keys.rotate({ now: true })).rejects.toThrow(NoStoredKeysError);
    });

    it('should refuse a token without kid when keys are asymmetric', async () => {
      const keys = await start(new MemoryStore());
      expect(await keys.verifierFor(undefined)).toBeUndefined();
      expect(keys.accepts(undefined)).toBe(false);
    });
  });
});
