import { remove as removeConfusables } from 'confusables';
import { NAME_MAX_LENGTH } from './limits.js';
import { charLength, isWellFormed } from './text.js';

/**
 * The name policy, for every name an account is given (sign-up, the CLI, ADMIN_NAME, later the
 * admin API); logging in only requires a well-formed string of at most NAME_MAX_LENGTH, so that
 * accounts named before the policy still log in (and an operator can rename or disable them).
 *
 * A name is taken in Unicode NFC, and may hold letters, combining marks after them, decimal
 * digits, ".", "_", "-" and single spaces inside: no control, format (zero-width, bidi override),
 * private-use, unassigned or other space characters, no symbols or emoji, no leading or trailing
 * space. Its letters come from one script (Japanese may mix Han and kana, Korean Han and Hangul),
 * so "аdmin" with a Cyrillic "а" is refused. Names that still look alike ("admin", "admIn",
 * "adm1n") share a skeleton (nameSkeleton), and the skeleton of a taken name is taken too.
 * An allow-list in the spirit of RFC 8265's UsernameCaseMapped profile (IdentifierClass), with
 * spaces and a script rule added.
 */
export const NAME_POLICY_SUMMARY =
  'letters, digits, ".", "_", "-" and single inner spaces, from one script, at most ' +
  `${NAME_MAX_LENGTH} characters`;

/**
 * The policy's character rules as one ECMAScript pattern (`u` flag), for the OpenAPI schema: a
 * letter or digit first, a space only before another allowed character. Not used to check names:
 * accountNameProblem words each rule apart (a unit test holds the two together). The script rule
 * and NFC are beyond a pattern; the schema's description says them.
 */
export const NAME_PATTERN = '^[\\p{L}\\p{Nd}](?: ?[\\p{L}\\p{M}\\p{Nd}._-])*$';

const ALLOWED = /^[\p{L}\p{M}\p{Nd}._\- ]*$/u;
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

function mixesScripts(name: string): boolean {
  const scripts = new Set<string>();
  for (const char of name) {
    if (LETTER.test(char) && !SCRIPT_NEUTRAL.test(char)) {
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
