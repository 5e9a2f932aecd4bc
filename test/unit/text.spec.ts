import { describe, expect, it } from '@jest/globals';
import { charLength, isWellFormed } from '../../src/common/validation/text.js';

describe('charLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 1],
    ['e\u0301', 2],
    ['🚀', 1],
    ['🇫🇷', 2],
    ['\u{20000}'.repeat(64), 64],
    ['\ud800', 1],
  ])('should count %p as %p code points', (text, length) => {
    expect(charLength(text)).toBe(length);
  });
});

describe('isWellFormed', () => {
  it.each(['', 'admin', '🚀', '\u{10ffff}', '\ufffd', '\u200b'])('should take %p', (text) => {
    expect(isWellFormed(text)).toBe(true);
  });

  it.each(['\ud800', '\udfff', 'a\ud83d', '\ude80a', '\ude80\ud83d'])('should refuse %p', (text) => {
    expect(isWellFormed(text)).toBe(false);
  });
});
