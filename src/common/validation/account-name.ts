import { remove as removeConfusables } from 'confusables';
import { NAME_MAX_LENGTH } from './limits.js';
import { charLength, isWellFormed } from './text.js';

/**
 * The name policy, for every name an account is given (sign-up, the CLI, ADMIN_NAME, the
 * admin API); logging in only requires a well-formed string of at most NAME_MAX_LENGTH, so that
 * accounts named before the policy still log in (and an operator can rename or disable them).
 *
 * A name is taken in Unicode NFC, and may hold letters, up to two combining marks right after
 * a letter (never an enclosing or overlay mark), decimal digits, ".", "_", "-" and single spaces
 * inside: no control, format (zero-width, bidi override),
 * private-use, unassigned or other space characters, no symbols or emoji, no leading or trailing
 * space. Its letters come from one script (Japanese may mix Han and kana, Korean Han and Hangul),
 * so "аdmin" with a Cyrillic "а" is refused. Names that still look alike ("admin", "admIn",
 * "adm1n") share a skeleton (nameSkeleton), and the skeleton of a taken name is taken too.
 * An allow-list in the spirit of RFC 8265's UsernameCaseMapped profile (IdentifierClass), with
 * spaces and a script rule added.
 */
export const NAME_POLICY_SUMMARY =
  'letters (each with at most two combining marks, none enclosing or overlay), digits, ".", "_", ' +
  '"-" and single inner spaces, from one script, at most ' +
  `${NAME_MAX_LENGTH} characters`;

/**
 * Overlay marks, canonical combining class 1 (Unicode's UnicodeData.txt, as of 14.0): they strike
 * through the letter they follow (U+0338 makes "y" a crossed-out y), so a name could show a
 * character it does not hold. JavaScript has no property for the class; the list is short.
 */
const OVERLAY_MARKS =
  '\\u0334-\\u0338\\u1CD4\\u1CE2-\\u1CE8\\u20D2\\u20D3\\u20D8-\\u20DA\\u20E5\\u20E6\\u20EA\\u20EB' +
  '\\u{10A39}\\u{16AF0}-\\u{16AF4}\\u{1BC9E}\\u{1D167}-\\u{1D169}';

/** At most this many combining marks on one letter (Vietnamese and Thai need two). */
const MAX_MARKS_PER_LETTER = 2;

/** A letter with the marks it may carry: nonspacing or spacing, not enclosing, not overlay. */
const LETTER_WITH_MARKS = `\\p{L}(?:(?![${OVERLAY_MARKS}])[\\p{Mn}\\p{Mc}]){0,${MAX_MARKS_PER_LETTER}}`;

/**
 * The policy's character rules as one ECMAScript pattern (`u` flag), for the OpenAPI schema: a
 * letter or digit first, a space only before another allowed character, marks only on letters.
 * Not used to check names: accountNameProblem words each rule apart (a unit test holds the two
 * together). The script rule, NFC, and the marks a precomposed letter already carries (counted
 * toward the two) are beyond a pattern; the schema's description says them.
 */
export const NAME_PATTERN = `^(?:${LETTER_WITH_MARKS}|\\p{Nd})(?: ?(?:${LETTER_WITH_MARKS}|[\\p{Nd}._-]))*$`;

const ALLOWED = /^[\p{L}\p{M}\p{Nd}._\- ]*$/u;
const MARK = /\p{M}/u;
const DRAWN_OVER = new RegExp(`[\\p{Me}${OVERLAY_MARKS}]`, 'u');
const STARTS_WELL = /^[\p{L}\p{Nd}]/u;
const LETTER = /\p{L}/u;
const SCRIPT_NEUTRAL = /[\p{Script=Common}\p{Script=Inherited}]/u;

/** The scripts a letter is told apart by; a letter of none of them counts as script "other". */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Nko',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Georgian',
  'Hangul',
  'Ethiopic',
  'Cherokee',
  'Canadian_Aboriginal',
  'Khmer',
  'Mongolian',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
  'Yi',
  'Tifinagh',
  'Vai',
  'Javanese',
  'Balinese',
  'Sundanese',
].map((script) => ({ script, pattern: new RegExp(`\\p{Script=${script}}`, 'u') }));

/** Sets of scripts that one writing system mixes by nature. */
const MIXABLE = [
  new Set(['Han', 'Hiragana', 'Katakana']),
  new Set(['Han', 'Hangul']),
  new Set(['Han', 'Bopomofo']),
];

function scriptOf(letter: string): string {
  return SCRIPTS.find(({ pattern }) => pattern.test(letter))?.script ?? 'other';
}

/**
 * Where the name's combining marks break the rules: `drawn-over` for an enclosing or overlay mark,
 * `placement` for one after anything but a letter or more than two on one letter. Counted in the
 * canonical decomposition, so a precomposed letter's own marks count ("é" carries one already):
 * otherwise NFC would let "é" take three accents where "x" takes two.
 */
function markProblem(name: string): 'drawn-over' | 'placement' | undefined {
  let marks = -1; // marks on the letter before, or -1 when no letter comes before
  for (const char of name.normalize('NFD')) {
    if (!MARK.test(char)) {
      marks = LETTER.test(char) ? 0 : -1;
    } else if (DRAWN_OVER.test(char)) {
      return 'drawn-over';
    } else if (marks < 0 || marks >= MAX_MARKS_PER_LETTER) {
      return 'placement';
    } else {
      marks += 1;
    }
  }
  return undefined;
}

/**
 * Letters, and marks of a script of their own (a Devanagari vowel sign is Devanagari; an acute
 * accent is every script's), must come from one script: a Devanagari sign on a Latin letter mixes.
 */
function mixesScripts(name: string): boolean {
  const scripts = new Set<string>();
  for (const char of name) {
    if ((LETTER.test(char) || MARK.test(char)) && !SCRIPT_NEUTRAL.test(char)) {
      scripts.add(scriptOf(char));
    }
  }
  return scripts.size > 1 && !MIXABLE.some((mix) => [...scripts].every((script) => mix.has(script)));
}

/** The form a name is stored and checked in: Unicode NFC. */
export const normalizeName = (name: string): string => name.normalize('NFC');

/**
 * The first rule of the name policy that `name` breaks, worded as the API words it ("name must
 * ..."), or undefined. Checks the NFC form, which is the one stored.
 */
export function accountNameProblem(name: string, field = 'name'): string | undefined {
  if (!isWellFormed(name)) {
    return `${field} must be well-formed Unicode (no unpaired surrogates)`;
  }
  const normalized = normalizeName(name);
  const length = charLength(normalized);
  if (length === 0) {
    return `${field} must not be empty`;
  }
  if (length > NAME_MAX_LENGTH) {
    return `${field} must be at most ${NAME_MAX_LENGTH} characters`;
  }
  if (!ALLOWED.test(normalized)) {
    return `${field} may hold only letters, digits, ".", "_", "-" and spaces (no control, invisible or format characters, symbols or emoji)`;
  }
  if (!STARTS_WELL.test(normalized) || normalized.endsWith(' ') || normalized.includes('  ')) {
    return `${field} must start with a letter or digit, and not end with a space or hold two in a row`;
  }
  const marks = markProblem(normalized);
  if (marks === 'drawn-over') {
    return `${field} must not hold enclosing or overlay marks (they draw around or through other characters)`;
  }
  if (marks === 'placement') {
    return `${field} may hold combining marks only right after a letter, at most ${MAX_MARKS_PER_LETTER} on one letter`;
  }
  if (mixesScripts(normalized)) {
    return `${field} must not mix letters of different scripts (Latin and Cyrillic, say)`;
  }
  return undefined;
}

/**
 * What a name looks like, for refusing look-alikes: names with the same skeleton can be taken
 * for one another. Confusable letters of other scripts become their Latin look-alikes
 * (`confusables`), accents and case are dropped, and the Latin look-alikes within ASCII are
 * merged (1, i, l and | read alike, as do 0 and o, rn and m, vv and w). Never shown to anyone.
 */
export function nameSkeleton(name: string): string {
  return removeConfusables(normalizeName(name))
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/rn/g, 'm')
    .replace(/vv/g, 'w')
    .replace(/[1il|]/g, 'l')
    .replace(/0/g, 'o');
}
