import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import { coseKeyProblem } from '../../src/passkeys/cose-key.js';

const bytes = (b64url: string | undefined) => new Uint8Array(Buffer.from(b64url!, 'base64url'));
const encode = (entries: [number, unknown][]) => isoCBOR.encode(new Map(entries) as never);

function ec2(namedCurve: string, alg: number, crv: number): Uint8Array {
  const jwk: JsonWebKey = generateKeyPairSync('ec', { namedCurve }).publicKey.export({ format: 'jwk' });
  return encode([
    [1, 2],
    [3, alg],
    [-1, crv],
    [-2, bytes(jwk.x)],
    [-3, bytes(jwk.y)],
  ]);
}

describe('coseKeyProblem', () => {
  it.each([
    ['ES256 on P-256', () => ec2('P-256', -7, 1)],
    ['ES384 on P-384', () => ec2('P-384', -35, 2)],
    ['ES512 on P-521', () => ec2('P-521', -36, 3)],
    ['ES256K on secp256k1', () => ec2('secp256k1', -47, 8)],
    [
      'EdDSA on Ed25519',
      () => {
        const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
        return encode([
          [1, 1],
          [3, -8],
          [-1, 6],
          [-2, bytes(jwk.x)],
        ]);
      },
    ],
    [
      'RS256, 2048 bits',
      () => {
        const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
        return encode([
          [1, 3],
          [3, -257],
          [-1, bytes(jwk.n)],
          [-2, bytes(jwk.e)],
        ]);
      },
    ],
  ])('should accept a genuine %s key', (_name, make) => {
    expect(coseKeyProblem(make())).toBeUndefined();
  });

  it.each([
    ['not CBOR', new Uint8Array([0xff, 0x00]), 'it is not a COSE key'],
    ['no algorithm', encode([[1, 2]]), 'it names no algorithm'],
    [
      'a symmetric key',
      encode([
        [1, 4],
        [3, 5],
      ]),
      'its key type is not EC2, OKP or RSA',
    ],
    [
      'RS256 with an even exponent',
      encode([
        [1, 3],
        [3, -257],
        [-1, new Uint8Array(256).fill(0xff)],
        [-2, new Uint8Array([2])],
      ]),
      'its exponent must be odd and at least 3',
    ],
  ])('should refuse %s', (_name, cose, problem) => {
    expect(coseKeyProblem(cose)).toBe(problem);
  });

  it('should accept every genuine Ed25519 key (100 of them)', () => {
    for (let i = 0; i < 100; i++) {
      const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
      const cose = encode([
        [1, 1],
        [3, -8],
        [-1, 6],
        [-2, bytes(jwk.x)],
      ]);
      expect(coseKeyProblem(cose)).toBeUndefined();
    }
  });

  it.each([
    [3, undefined],
    [7, 'its point is not on the curve'],
  ])('should check that Ed25519 y = %p decodes to a point', (y, problem) => {
    const x = new Uint8Array(32);
    x[0] = y;
    expect(
      coseKeyProblem(
        encode([
          [1, 1],
          [3, -8],
          [-1, 6],
          [-2, x],
        ]),
      ),
    ).toBe(problem);
  });

  it('should refuse an Ed25519 x whose y has no x on the curve', () => {
    // y = 2: (y² - 1) / (d·y² + 1) is no square mod p (RFC 8032 §5.1.3's recovery of x fails).
    const x = new Uint8Array(32);
    x[0] = 2;
    expect(
      coseKeyProblem(
        encode([
          [1, 1],
          [3, -8],
          [-1, 6],
          [-2, x],
        ]),
      ),
    ).toBe('its point is not on the curve');
  });
});
