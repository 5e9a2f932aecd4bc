import { describe, expect, it } from '@jest/globals';
import { hashRecoveryCode, newRecoveryCode, normalizeRecoveryCode } from '../../src/mfa/recovery-codes.js';

const KEY = Buffer.alloc(32, 7);

describe('recovery codes', () => {
  it('should be xxxxx-xxxxx from an alphabet without look-alikes, and differ', () => {
    const codes = Array.from({ length: 50 }, newRecoveryCode);
    for (const code of codes) {
      expect(code).toMatch(/^[a-hjkmnp-z2-9]{5}-[a-hjkmnp-z2-9]{5}$/);
    }
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('should hash a code however it is typed to the same value, and another code not', () => {
    const code = newRecoveryCode();
    const hash = hashRecoveryCode(code, KEY);
    expect(hashRecoveryCode(` ${code.toUpperCase().replace('-', ' ')} `, KEY)).toBe(hash);
    expect(hashRecoveryCode(code.replace('-', ''), KEY)).toBe(hash);
    expect(normalizeRecoveryCode('ABCDE FGHJK')).toBe('abcde-fghjk');
    expect(hashRecoveryCode(newRecoveryCode(), KEY)).not.toBe(hash);
  });

  it('should depend on the key, so the database alone cannot test a guess', () => {
    const code = newRecoveryCode();
    expect(hashRecoveryCode(code, Buffer.alloc(32, 8))).not.toBe(hashRecoveryCode(code, KEY));
  });
});
