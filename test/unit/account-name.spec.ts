import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { accountNameProblem, NAME_PATTERN, nameSkeleton } from '../../src/common/validation/account-name.js';
import { charLength, isWellFormed } from '../../src/common/validation/text.js';

describe('accountNameProblem', () => {
  it.each([
    ['alice'],
    ['Alice Smith'],
    ['o.brien-2_x'],
    ['José'],
    ['Jose\u0301'], // e + combining acute: NFC makes it José
    ['Зоя'],
    ['Ελένη'],
    ['山田太郎'],
    ['やまだ タロウ'],
    ['ヤマダー'],
    ['김철수'],
    ['محمد'],
    ['देवनागरी'],
    ['a'.repeat(64)],
    ['x\u0301y'], // a mark on a letter with no precomposed form
    ['Nguyễn'], // ễ: e with two marks (circumflex, tilde), precomposed
    ['Nguye\u0302\u0303n'], // the same, decomposed
    ['นี้'], // Thai: a vowel and a tone mark on one letter
    ['ক্ষ'], // Bengali virama
    ['x\u0301\u0300'], // two marks on one letter
  ])('should accept %p', (name) => expect(accountNameProblem(name)).toBeUndefined());

  const PLACEMENT = 'combining marks only right after a letter';
  const DRAWN_OVER = 'enclosing or overlay marks';
  it.each([
    ['x \u0301y', PLACEMENT], // after a space
    ['x1\u0301', PLACEMENT], // after a digit
    ['x.\u0301y', PLACEMENT],
    ['x_\u0301', PLACEMENT],
    ['x-\u0308y', PLACEMENT],
    ['x\u0301\u0300\u0302', PLACEMENT], // a stack of three
    ['e\u0301\u0300\u0302', PLACEMENT], // NFC makes it é plus two: still three on one letter
    ['é\u0300\u0302', PLACEMENT], // precomposed letter plus two
    ['ễ\u0301', PLACEMENT],
    ['x' + '\u0301'.repeat(20), PLACEMENT], // "Zalgo"
    ['y\u0338z', DRAWN_OVER], // combining long solidus overlay
    ['ab\u0334', DRAWN_OVER], // tilde overlay
    ['ab\u0335', DRAWN_OVER],
    ['ab\u0336', DRAWN_OVER], // long stroke overlay
    ['ab\u0337', DRAWN_OVER],
    ['ab\u20d2', DRAWN_OVER], // long vertical line overlay
    ['ab\u20d3', DRAWN_OVER],
    ['ab\u20d8', DRAWN_OVER], // ring overlay
    ['ab\u20e5', DRAWN_OVER],
    ['ab\u20ea', DRAWN_OVER],
    ['ab\u{1d167}', DRAWN_OVER],
    ['a\u20dd', DRAWN_OVER], // combining enclosing circle (Me)
    ['a\u20de', DRAWN_OVER], // enclosing square
    ['a\u20e3', DRAWN_OVER], // enclosing keycap
    ['a\u0488', DRAWN_OVER], // Cyrillic hundred thousands sign (Me)
    ['abc\u093f', 'must not mix'], // a Devanagari vowel sign on a Latin letter
  ])('should refuse %p (%s)', (name, rule) => expect(accountNameProblem(name)).toContain(rule));

  it('should accept a mark only right after a letter, at most two on it, never an enclosing or overlay one', () => {
    const mark = fc.constantFrom(
      '\u0301',
      '\u0300',
      '\u0308',
      '\u0323',
      '\u0338',
      '\u20d2',
      '\u20dd',
      '\u0e49',
    );
    const base = fc.constantFrom('a', 'x', 'é', 'ễ', '1', '.', '_', '-', ' ', 'น');
    fc.assert(
      fc.property(fc.array(fc.oneof(mark, base), { minLength: 1, maxLength: 10 }), (chars) => {
        const name = `a${chars.join('')}`;
        const problem = accountNameProblem(name);
        if (problem !== undefined && !/combining marks|enclosing or overlay/.test(problem)) {
          return; // refused by another rule (spaces, scripts)
        }
        // The rule, restated on the decomposed text: every mark follows a letter or a mark that
        // does, at most two in a row, and none draws over or around.
        let run = -1;
        let ok = true;
        for (const char of name.normalize('NFD')) {
          if (/\p{M}/u.test(char)) {
            ok &&= !/[\p{Me}\u0334-\u0338\u20d2]/u.test(char) && run >= 0 && run < 2;
            run += 1;
          } else {
            run = /\p{L}/u.test(char) ? 0 : -1;
          }
        }
        expect({ name, accepted: problem === undefined }).toEqual({ name, accepted: ok });
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['admin\u200b', 'may hold only'], // zero-width space: displays as "admin"
    ['\u202eadmin', 'may hold only'], // right-to-left override
    ['ad\u200dmin', 'may hold only'], // zero-width joiner inside
    ['admin\u0000', 'may hold only'],
    ['\u0001', 'may hold only'],
    ['admin\u00a0', 'may hold only'], // no-break space
    ['ad\tmin', 'may hold only'],
    ['admin\ufeff', 'may hold only'],
    ['\ue000admin', 'may hold only'], // private use
    ['adm😀n', 'may hold only'],
    ['a@b', 'may hold only'],
    [' admin', 'must start with a letter or digit'],
    ['admin ', 'not end with a space'],
    ['ad  min', 'two in a row'],
    ['.admin', 'must start with a letter or digit'],
    ['\u0301admin', 'must start with a letter or digit'],
    ['аdmin', 'must not mix'], // Cyrillic а
    ['admіn', 'must not mix'], // Cyrillic і
    ['paypaΙ', 'must not mix'], // Greek capital iota
    ['', 'must not be empty'],
    ['a'.repeat(65), 'at most 64 characters'],
    ['\ud800admin', 'well-formed Unicode'],
    ['admin\udc00', 'well-formed Unicode'],
  ])('should refuse %p (%s)', (name, rule) => expect(accountNameProblem(name)).toContain(rule));

  it('should count characters, not UTF-16 units: 64 astral letters fit, 65 do not', () => {
    const letter = '𝒜'; // U+1D49C, one character, two UTF-16 units
    expect(accountNameProblem(letter.repeat(64))).toBeUndefined();
    expect(accountNameProblem(letter.repeat(65))).toContain('at most 64 characters');
  });

  it('should name the field it was given', () => {
    expect(accountNameProblem('', 'ADMIN_NAME')).toBe('ADMIN_NAME must not be empty');
  });
});

describe('nameSkeleton', () => {
  it.each([
    ['admin', 'ADMIN'],
    ['admin', 'аdmin'], // Cyrillic а: refused by the script rule, and caught here too
    ['admin', 'adm1n'],
    ['admin', 'admIn'],
    ['admin', 'admln'],
    ['modern', 'rnodern'],
    ['wolf', 'vvolf'],
    ['bob0', 'bobo'],
    ['José', 'Jose'],
    ['scope', 'ѕсоре'], // all Cyrillic: a whole-script look-alike
    ['admin', 'ａｄｍｉｎ'], // fullwidth
  ])('should give %p and %p the same skeleton', (a, b) => expect(nameSkeleton(a)).toBe(nameSkeleton(b)));

  it.each([
    ['alice', 'bob'],
    ['admin', 'admins'],
    ['山田', '田山'],
  ])('should tell %p and %p apart', (a, b) => expect(nameSkeleton(a)).not.toBe(nameSkeleton(b)));
});

describe('charLength and isWellFormed', () => {
  it('should count code points', () => {
    expect(charLength('abc')).toBe(3);
    expect(charLength('😀')).toBe(1);
    expect(charLength('🇫🇷')).toBe(2);
    expect(charLength('e\u0301')).toBe(2);
  });

  it('should find unpaired surrogates only', () => {
    expect(isWellFormed('😀')).toBe(true);
    expect(isWellFormed('\ud83d')).toBe(false);
    expect(isWellFormed('a\ude00b')).toBe(false);
    expect(isWellFormed('\ude00\ud83d')).toBe(false);
  });
});

describe('NAME_PATTERN (what the OpenAPI schema states of sign-up names)', () => {
  const pattern = new RegExp(NAME_PATTERN, 'u');
  // The characters the rules are about, and a few of every kind they refuse.
  const char = fc.constantFrom(
    ...['a', 'Z', 'é', 'Я', '山', '7', '٣', '\u0301', '.', '_', '-', ' ', '  '],
    ...['\u0000', '\u200b', '\u202e', '!', '@', '🔑', '\t', '\u00a0', 'ǅ'],
    ...['\u0300', '\u0338', '\u20d2', '\u20dd', '\u093f', 'x', 'ễ'],
  );
  const candidate = fc.array(char, { maxLength: 12 }).map((chars) => chars.join(''));

  it('should match exactly the names the policy accepts, but for its script rule', () => {
    fc.assert(
      fc.property(candidate, (name) => {
        const nfc = name.normalize('NFC');
        if (accountNameProblem(name) === undefined) {
          expect(pattern.test(nfc)).toBe(true);
        }
        if (!pattern.test(nfc)) {
          expect(accountNameProblem(name)).toBeDefined();
        } else {
          // Matched: only the rules no pattern can state (one script; the marks a precomposed
          // letter carries count toward its two) may still refuse it.
          const problem = accountNameProblem(name);
          const precomposedMarks = nfc !== nfc.normalize('NFD');
          expect(
            problem === undefined ||
              /must not mix letters/.test(problem) ||
              (precomposedMarks && /combining marks only/.test(problem)),
          ).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it.each([['alice'], ['Alice Smith'], ['o.brien-2_x'], ['山田太郎']])('should match %p', (name) => {
    expect(pattern.test(name)).toBe(true);
  });

  it.each([[' alice'], ['alice '], ['al  ice'], ['.alice'], ['al!ce'], ['']])('should refuse %p', (name) => {
    expect(pattern.test(name)).toBe(false);
  });
});
