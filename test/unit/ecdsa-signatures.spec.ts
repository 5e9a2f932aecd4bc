import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { hasLowS, toLowS, withLowS } from '../../src/keys/ecdsa-signatures.js';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const P1363 = { dsaEncoding: 'ieee-p1363' } as const;

const sValue = (signature: Buffer) => BigInt(`0x${signature.subarray(32).toString('hex')}`);
const withS = (r: Buffer, s: bigint) =>
  Buffer.concat([r, Buffer.from(s.toString(16).padStart(64, '0'), 'hex')]);

describe('ECDSA signatures', () => {
  it('should turn every signature into the low-S one that still verifies', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
        const signature = sign('sha256', data, { key: privateKey, ...P1363 });
        const low = toLowS('ES256', signature);
        expect(sValue(low) <= N / 2n).toBe(true);
        expect(hasLowS('ES256', low)).toBe(true);
        expect(verify('sha256', data, { key: publicKey, ...P1363 }, low)).toBe(true);
        // The other form verifies too (what makes it a second text) but is refused.
        const high = withS(low.subarray(0, 32), N - sValue(low));
        expect(verify('sha256', data, { key: publicKey, ...P1363 }, high)).toBe(true);
        expect(hasLowS('ES256', high)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('should draw the line at n/2', () => {
    const r = Buffer.alloc(32, 1);
    expect(hasLowS('ES256', withS(r, N / 2n))).toBe(true);
    expect(hasLowS('ES256', withS(r, N / 2n + 1n))).toBe(false);
    expect(hasLowS('ES256', withS(r, 1n))).toBe(true);
    expect(hasLowS('ES256', withS(r, N - 1n))).toBe(false);
  });

  it('should refuse a signature of another length and an algorithm it has no curve for', () => {
    expect(hasLowS('ES256', Buffer.alloc(63))).toBe(false);
    expect(hasLowS('ES256', Buffer.alloc(65))).toBe(false);
    expect(hasLowS('RS256', Buffer.alloc(64))).toBe(false);
    expect(() => toLowS('ES256', Buffer.alloc(70))).toThrow();
  });

  it('should rewrite only the signature of an ES256 JWS, and leave other algorithms alone', () => {
    const input = 'aGVhZGVy.cGF5bG9hZA';
    for (let i = 0; i < 16; i++) {
      const signature = sign('sha256', Buffer.from(input), { key: privateKey, ...P1363 });
      const jws = withLowS('ES256', `${input}.${signature.toString('base64url')}`);
      const [h, p, s] = jws.split('.');
      expect(`${h}.${p}`).toBe(input);
      expect(hasLowS('ES256', Buffer.from(s, 'base64url'))).toBe(true);
    }
    expect(withLowS('RS256', `${input}.abc`)).toBe(`${input}.abc`);
  });
});
