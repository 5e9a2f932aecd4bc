import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { estimateEntropyBits, MIN_SECRET_BITS } from '../../src/config/secret-strength.js';

describe('estimateEntropyBits', () => {
  it.each([
    ['openssl rand -base64 48', () => randomBytes(48).toString('base64')],
    ['openssl rand -base64 32', () => randomBytes(32).toString('base64')],
    ['openssl rand -hex 32', () => randomBytes(32).toString('hex')],
    ['48 random bytes, base64url', () => randomBytes(48).toString('base64url')],
  ])('should pass a random secret (%s), every time', (_, make) => {
    for (let i = 0; i < 200; i += 1) {
      expect(estimateEntropyBits(make())).toBeGreaterThanOrEqual(MIN_SECRET_BITS);
    }
  });

  // 32 bytes or more each, as the schema requires: what secret lists and tutorials are full of.
  it.each([
    ['a'.repeat(32)],
    ['a'.repeat(200)],
    ['abababababababababababababababab'],
    ['0123456789abcdefghijklmnopqrstuvwxyz'],
    ['qwertyuiopasdfghjklzxcvbnm1234567890'],
    ['your-256-bit-secret-your-256-bit-secret'],
    ['thisismysupersecretkeythatnobodywillguess'],
    ['ThisIsMySuperSecretKeyForJwtAuthentication'],
    ['supersecretkeyyoushouldnotcommittogithub'],
    ['my_super_secret_jwt_signing_key_for_production'],
    ['change-this-to-a-long-random-secret-in-production'],
    ['S3cr3tK3yF0rJWTAuth3nt1c4t10nS3rv1c3'],
    ['secretsecretsecretsecretsecretsecret'],
    ['replace-me-with-a-real-secret-value-please'],
    // Words joined by separators, with a year or a number: the separators and digits are guessed
    // among their own few symbols, not the whole keyboard.
    ['my-super-secret-jwt-key-for-production-2024'],
    ['nestjs.jwt.secret.key.2023.production.server'],
    ['12345678901234567890123456789012345678901234'],
    ['deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef'],
    // Passphrases of ordinary words, none in the vocabulary above: priced as dictionary words.
    ['correct-horse-battery-staple-1234'],
    ['Correct-Horse-Battery-Staple-1234'],
    ['CORRECT_HORSE_BATTERY_STAPLE_1234'],
    ['CorrectHorseBatteryStaple1234!?#'],
    ['correct horse battery staple gazebo'],
    ['tribune.gazebo.lantern.orchard.velvet'],
    ['1correct2horse3battery4staple5gazebo'],
    ['Lantern-Orchard-Velvet-Tribune-Gazebo-Sapphire'],
    // The same words written together in one case: still words, not 25 random letters.
    ['correcthorsebatterystaple1234'.padEnd(32, '!')],
    ['correcthorsebatterystaplegazebo2024'],
    ['CORRECTHORSEBATTERYSTAPLEGAZEBO2024'],
  ])('should refuse %p', (secret) => {
    expect(Buffer.byteLength(secret)).toBeGreaterThanOrEqual(32);
    expect(estimateEntropyBits(secret)).toBeLessThan(MIN_SECRET_BITS);
  });

  it('should count a hex secret at 4 bits a digit', () => {
    const hex = randomBytes(32).toString('hex');
    expect(estimateEntropyBits(hex)).toBeGreaterThanOrEqual(200);
    expect(estimateEntropyBits(hex)).toBeLessThanOrEqual(256);
  });

  it('should judge a long secret by its first 512 characters', () => {
    expect(
      estimateEntropyBits(randomBytes(64).toString('base64') + 'a'.repeat(10_000)),
    ).toBeGreaterThanOrEqual(MIN_SECRET_BITS);
    expect(estimateEntropyBits('a'.repeat(600) + randomBytes(64).toString('base64'))).toBeLessThan(
      MIN_SECRET_BITS,
    );
  });
});
