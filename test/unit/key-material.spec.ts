import { createPublicKey, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import {
  decryptPrivateKey,
  deriveWrappingKey,
  describePublicKey,
  encryptPrivateKey,
  generateSigningKey,
  jwkThumbprint,
  UndecryptableKeyError,
} from '../../src/keys/key-material.js';

describe('jwkThumbprint', () => {
  it('should compute RFC 7638’s own example (section 3.1)', () => {
    const jwk = {
      kty: 'RSA',
      n:
        '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs' +
        'tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5h' +
        'ajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });
});

describe('generateSigningKey', () => {
  it.each(['ES256', 'RS256'] as const)(
    'should make a %s key whose JWK holds no private member',
    async (algorithm) => {
      const key = await generateSigningKey(algorithm);
      expect(key.publicJwk.kid).toBe(key.kid);
      expect(key.publicJwk).toMatchObject({
        alg: algorithm,
        use: 'sig',
        kty: algorithm === 'ES256' ? 'EC' : 'RSA',
      });
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
        expect(key.publicJwk).not.toHaveProperty(member);
      }
      // The published key verifies what the private key signs.
      const data = Buffer.from('payload');
      const signature = sign('sha256', data, key.privateKey);
      expect(
        verify('sha256', data, createPublicKey({ key: { ...key.publicJwk }, format: 'jwk' }), signature),
      ).toBe(true);
    },
  );

  it('should name a key by its thumbprint, the same as describePublicKey finds', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { kid, publicJwk } = describePublicKey(publicKey, 'ES256');
    expect(kid).toBe(jwkThumbprint(publicJwk as unknown as Record<string, string>));
    expect(kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('private keys at rest', () => {
  const secret = randomBytes(48);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' });

  it('should open with the secret it was sealed with, for the kid it was sealed for', () => {
    const stored = encryptPrivateKey(privateKey, deriveWrappingKey(secret), 'kid-1');
    const opened = decryptPrivateKey(stored, deriveWrappingKey(secret), 'kid-1');
    expect(opened.export({ format: 'der', type: 'pkcs8' }).equals(pkcs8)).toBe(true);
  });

  it('should keep neither the key nor any recognisable part of it in what is stored', () => {
    const stored = encryptPrivateKey(privateKey, deriveWrappingKey(secret), 'kid-1');
    expect(stored).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(stored).not.toContain('PRIVATE KEY');
    const d = privateKey.export({ format: 'jwk' }).d!;
    expect(stored).not.toContain(d);
    expect(Buffer.from(stored.split('.')[2], 'base64url').includes(pkcs8.subarray(-32))).toBe(false);
  });

  it('should use a fresh IV every time', () => {
    const wrapping = deriveWrappingKey(secret);
    expect(encryptPrivateKey(privateKey, wrapping, 'k')).not.toBe(
      encryptPrivateKey(privateKey, wrapping, 'k'),
    );
  });

  it.each([
    [
      'another secret',
      (stored: string) => decryptPrivateKey(stored, deriveWrappingKey(randomBytes(48)), 'kid-1'),
    ],
    [
      'another kid (a key moved to another row)',
      (stored: string) => decryptPrivateKey(stored, deriveWrappingKey(secret), 'kid-2'),
    ],
    [
      'an altered ciphertext',
      (stored: string) => {
        const parts = stored.split('.');
        const ciphertext = Buffer.from(parts[2], 'base64url');
        ciphertext[0] ^= 1;
        parts[2] = ciphertext.toString('base64url');
        return decryptPrivateKey(parts.join('.'), deriveWrappingKey(secret), 'kid-1');
      },
    ],
    [
      'another format',
      (stored: string) => decryptPrivateKey(stored.replace(/^v1/, 'v2'), deriveWrappingKey(secret), 'kid-1'),
    ],
  ])('should refuse to open with %s', (_what, open) => {
    const stored = encryptPrivateKey(privateKey, deriveWrappingKey(secret), 'kid-1');
    expect(() => open(stored)).toThrow(UndecryptableKeyError);
  });

  it('should derive a different wrapping key from each secret, 32 bytes long', () => {
    expect(deriveWrappingKey(secret)).toHaveLength(32);
    expect(deriveWrappingKey(secret).equals(deriveWrappingKey(randomBytes(48)))).toBe(false);
    expect(deriveWrappingKey(secret).equals(secret.subarray(0, 32))).toBe(false);
  });
});
