import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { SecretKeyRing } from '../../src/keys/secret-key-ring.js';
import { keysOf, MemoryKeyStore, publishedKids } from '../support/memory-keys.js';

describe(SecretKeyRing.name, () => {
  it('should be the ring keysFor() makes of JWT_ALGORITHM=HS256', () => {
    expect(keysOf(new MemoryKeyStore(), { algorithm: 'HS256' }).ring).toBeInstanceOf(SecretKeyRing);
    expect(keysOf(new MemoryKeyStore(), { algorithm: 'ES256' }).ring).not.toBeInstanceOf(SecretKeyRing);
  });

  it('should sign and verify with JWT_SECRET under a kid that says nothing of it, publishing nothing', async () => {
    const store = new MemoryKeyStore();
    const secret = randomBytes(48);
    const { ring } = keysOf(store, { algorithm: 'HS256', secret });
    const signer = ring.currentSigner();
    expect(signer.algorithm).toBe('HS256');
    expect(signer.kid).toMatch(/^hs-[\w-]{16}$/);
    expect(signer.kid).not.toContain(secret.toString('base64url').slice(0, 8));
    expect(signer.key.export()).toEqual(secret);
    expect(publishedKids(ring)).toEqual([]);
    expect(store.rows).toHaveLength(0);
    expect(ring.algorithms).toEqual(['HS256']);
    expect((await ring.verifierFor(signer.kid))?.key).toBe(signer.key);
    // Tokens of before kids existed (no kid) are still taken.
    expect((await ring.verifierFor(undefined))?.algorithm).toBe('HS256');
    expect(ring.accepts(undefined)).toBe(true);
  });

  it('should refuse any other kid', async () => {
    const { ring } = keysOf(new MemoryKeyStore(), { algorithm: 'HS256' });
    const other = keysOf(new MemoryKeyStore(), { algorithm: 'HS256' }).ring.currentSigner().kid;
    expect(await ring.verifierFor(other)).toBeUndefined();
    expect(ring.accepts(other)).toBe(false);
  });
});
