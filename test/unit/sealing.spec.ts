import { describe, expect, it } from '@jest/globals';
import { deriveSealingKey, seal, unseal, UnsealError } from '../../src/common/crypto/sealing.js';

const KEY = deriveSealingKey(Buffer.from('a secret of the service'), 'test v1');

describe('sealing', () => {
  it('should open what it sealed, with the same aad only', () => {
    const sealed = seal(Buffer.from('totp secret'), KEY, 'totp:1');
    expect(sealed).toMatch(/^v1\./);
    expect(unseal(sealed, KEY, 'totp:1').toString()).toBe('totp secret');
    expect(() => unseal(sealed, KEY, 'totp:2')).toThrow(UnsealError);
  });

  it('should derive a different key per purpose', () => {
    const sealed = seal(Buffer.from('x'), KEY, 'a');
    const other = deriveSealingKey(Buffer.from('a secret of the service'), 'other v1');
    expect(() => unseal(sealed, other, 'a')).toThrow(UnsealError);
    expect(() => unseal('v2.a.b.c', KEY, 'a')).toThrow(UnsealError);
  });
});
