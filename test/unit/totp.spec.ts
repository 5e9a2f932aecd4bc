import { describe, expect, it } from '@jest/globals';
import { codeForStep, matchTotp, otpauthUrl, stepAt, toBase32 } from '../../src/mfa/totp.js';

// RFC 6238 appendix B, SHA-1: the 8-digit values, of which a 6-digit code is the last six digits.
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('should give the test vector at T=%d', (seconds, eightDigits) => {
    expect(codeForStep(RFC_SECRET, stepAt(seconds * 1000))).toBe(eightDigits.slice(2));
  });

  it('should accept the code of now and of one step either side, and no further', () => {
    const now = 1111111111_000;
    const step = stepAt(now);
    for (const drift of [-1, 0, 1]) {
      expect(matchTotp(RFC_SECRET, codeForStep(RFC_SECRET, step + drift), now, null)).toBe(step + drift);
    }
    expect(matchTotp(RFC_SECRET, codeForStep(RFC_SECRET, step - 2), now, null)).toBeNull();
    expect(matchTotp(RFC_SECRET, codeForStep(RFC_SECRET, step + 2), now, null)).toBeNull();
  });

  it('should refuse a code of a step at or before the last one used (replay)', () => {
    const now = 1234567890_000;
    const step = stepAt(now);
    const code = codeForStep(RFC_SECRET, step);
    expect(matchTotp(RFC_SECRET, code, now, step)).toBeNull();
    expect(matchTotp(RFC_SECRET, code, now, step + 1)).toBeNull();
    expect(matchTotp(RFC_SECRET, code, now, step - 1)).toBe(step);
  });

  it('should refuse anything but 6 digits', () => {
    expect(matchTotp(RFC_SECRET, '94287082', 59_000, null)).toBeNull();
    expect(matchTotp(RFC_SECRET, '28708', 59_000, null)).toBeNull();
    expect(matchTotp(RFC_SECRET, '', 59_000, null)).toBeNull();
  });

  it('should describe the secret for authenticator apps: base32, SHA1, 6 digits, 30 s', () => {
    expect(toBase32(RFC_SECRET)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    const url = new URL(otpauthUrl(RFC_SECRET, 'nest-jwt-auth', 'alice'));
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(url.searchParams.get('algorithm')).toBe('SHA1');
    expect(url.searchParams.get('digits')).toBe('6');
    expect(url.searchParams.get('period')).toBe('30');
    expect(url.searchParams.get('issuer')).toBe('nest-jwt-auth');
  });
});
