// How guessable a secret is, as an estimate of its entropy in bits: the cheapest way a guesser
// who knows common words, keyboard runs and repetition could write it down. A random secret
// scores close to its true entropy; `aaaa...`, "your-256-bit-secret" twice, or a sentence of
// common words score far below 128 bits whatever their length; words joined by "-" with a year
// ("my-super-secret-jwt-key-for-production-2024") too.
//
// Hand-written, not zxcvbn (@zxcvbn-ts): its dictionaries add about 108 MB of RSS to the process
// and it scores random strings at 3.3 bits a character (a random 32-character base64url secret,
// 192 bits, at 105), where this needs the opposite error: generous to randomness, hard on patterns.
// Without a dictionary, a passphrase is priced by its shape: every word-like run of letters
// ("correct", "Horse", "STAPLE") between separators, digits or a change of case is priced as one
// word of a large dictionary, which is what a passphrase guesser tries.

/** Words that weak secrets are made of: JWT tutorials' and secret lists' own vocabulary. */
const WORDS = [
  ...'a an and any are as at be best big but by can change default do does dont else enough ever for from get go good guess hard have here hello hidden i if in into is it its just keep key keys let long longer look love make me mine more most much must my never new no nobody not now of ok on one only or our out over own please private public put random real really replace right safe same say see set should so some string strong such super sure than that the their them then there these they thing this those to too top true try use used very want was way we well what when which who why will with world would yes you your'.split(
    ' ',
  ),
  ...'access admin administrator api app application auth authentication authorization backend base bearer bit bits change changeme cipher client code company config crypto cryptographic data database decode decrypt demo dev develop development django encode encrypt encryption env environment example express fastapi flask hash hmac hs256 hs384 hs512 jsonwebtoken jwt jwtsecret key letmein local localhost login master nest nestjs node nodejs pass passphrase password passw0rd private prod production project qwerty refresh rails react sample secret secrets secure security server service session sha sha256 shh shhh shhhh sign signature signing spring staging symfony laravel temp test testing token tokens user users value welcome'.split(
    ' ',
  ),
].filter((word) => word.length >= 2);
const WORD_SET = new Set(WORDS);
const MAX_WORD = Math.max(...WORDS.map((word) => word.length));
const WORD_BITS = Math.log2(WORDS.length) + 1; // + case or a leet variant

/**
 * A word of any language's dictionary (zxcvbn's English list and its peers hold tens of thousands):
 * log2 of 65,536 words, plus its case (lower, Capitalised or upper).
 */
const DICTIONARY_WORD_BITS = 16 + Math.log2(3);
/** Word-like runs of letters this long, at most, are priced as one dictionary word. */
const DICTIONARY_WORD_MAX = 16;
/**
 * A longer run is words written together ("correcthorsebatterystaple"), about this many letters
 * each (the EFF passphrase list averages 7): priced as that many dictionary words, never as letters.
 */
const RUN_LETTERS_PER_WORD = 6;

/** The price of a word-like run of `length` letters: one word, or the words run together. */
const wordRunBits = (length: number) =>
  DICTIONARY_WORD_BITS * (length <= DICTIONARY_WORD_MAX ? 1 : Math.ceil(length / RUN_LETTERS_PER_WORD));
const LOWER = /^[a-z]$/;
const UPPER = /^[A-Z]$/;

/**
 * Where the word-like run of letters starting at `i` ends: lower-case letters, one capital then
 * lower-case ones, or capitals only; it must start at a boundary (the start, a non-letter, or a
 * capital after a lower-case letter, as in "CorrectHorse") and take the whole run. -1 if none.
 */
function wordLikeEnd(chars: string[], i: number): number {
  const previous = chars[i - 1];
  const upper = UPPER.test(chars[i]);
  if (!upper && !LOWER.test(chars[i])) {
    return -1;
  }
  if (previous !== undefined && (LOWER.test(previous) || (UPPER.test(previous) && upper))) {
    return -1;
  }
  let end = i + 1;
  const allUpper = upper && UPPER.test(chars[end] ?? '') && !LOWER.test(chars[end + 1] ?? '');
  const rest = allUpper ? UPPER : LOWER;
  while (end < chars.length && rest.test(chars[end])) {
    end += 1;
  }
  return end - i >= 3 ? end : -1;
}

/** What joins words in a passphrase-like secret: a guesser tries these first. */
const SEPARATORS = new Set(['-', '_', '.', ' ', '/', ':']);
const SEPARATOR_BITS = Math.log2(SEPARATORS.size);
/** A year of this or the last century. */
const YEAR_BITS = Math.log2(200);

const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'abcdefghijklmnopqrstuvwxyz'];
const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};

/** Hex digits, as `openssl rand -hex` writes them (dashes allowed, as in a UUID). */
const HEX = /^[0-9a-f-]+$|^[0-9A-F-]+$/;

/** The number of symbols a guesser would try per character, from the kinds of character present. */
function alphabetSize(secret: string): number {
  if (HEX.test(secret)) {
    return 16;
  }
  let size = 0;
  if (/[0-9]/.test(secret)) size += 10;
  if (/[a-z]/.test(secret)) size += 26;
  if (/[A-Z]/.test(secret)) size += 26;
  if (/[!-/:-@[-`{-~ ]/.test(secret)) size += 33;
  if (/[^\x20-\x7e]/.test(secret)) size += 100;
  return Math.max(size, 2);
}

/**
 * The estimated entropy of `secret` in bits: the cheapest split of it into random characters
 * (log2 of its alphabet each), common words, keyboard or alphabet runs and repeats of earlier
 * text, each of those costing a few bits. Dynamic programming over the positions.
 */
export function estimateEntropyBits(secret: string): number {
  // Beyond this, more text cannot make a weak start strong enough to matter, and the repeat
  // search is quadratic.
  const chars = [...secret].slice(0, ESTIMATED_CHARS);
  const n = chars.length;
  const lower = chars.map((char) => char.toLowerCase());
  const plain = lower.map((char) => LEET[char] ?? char);
  const charBits = Math.log2(alphabetSize(secret));
  const cost = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
  cost[0] = 0;
  for (let i = 0; i < n; i += 1) {
    const here = cost[i];
    const relax = (end: number, bits: number) => {
      if (here + bits < cost[end]) {
        cost[end] = here + bits;
      }
    };
    relax(i + 1, SEPARATORS.has(chars[i]) ? SEPARATOR_BITS : charBits);
    // A number is guessed among numbers, not among every character: a year costs a few bits,
    // other digits log2(10) each (unless the whole secret is hex, where digits are its alphabet).
    if (charBits > 4 && /[0-9]/.test(chars[i])) {
      let end = i;
      while (end < n && /[0-9]/.test(chars[end])) {
        end += 1;
        relax(end, (end - i) * Math.log2(10) + 1);
      }
      if (/^(19|20)\d\d$/.test(chars.slice(i, i + 4).join(''))) {
        relax(i + 4, YEAR_BITS);
      }
    }
    // A common word, in any case, leet spelling allowed.
    for (let end = i + 2; end <= Math.min(n, i + MAX_WORD); end += 1) {
      if (WORD_SET.has(plain.slice(i, end).join(''))) {
        relax(end, WORD_BITS);
      }
    }
    // A word-like run of letters: a word of a dictionary this code does not carry.
    const wordEnd = wordLikeEnd(chars, i);
    if (wordEnd > 0) {
      relax(wordEnd, wordRunBits(wordEnd - i));
    }
    // A run along a keyboard row or the alphabet, either way, or of one character (step 0).
    for (const step of [0, 1, -1]) {
      let end = i + 1;
      while (end < n && stepOf(lower[end - 1], lower[end]) === step) {
        end += 1;
      }
      if (end - i >= 3) {
        relax(end, charBits + Math.log2(end - i) + 2);
      }
    }
    // A repeat of text seen earlier: its position and length.
    for (let start = 0; start < i; start += 1) {
      let length = 0;
      while (i + length < n && start + length < i && lower[start + length] === lower[i + length]) {
        length += 1;
      }
      if (length >= 3) {
        relax(i + length, Math.log2(i) + Math.log2(length) + 1);
      }
    }
  }
  return cost[n];
}

/** 1 or -1 when `b` follows `a` along a keyboard row or the alphabet, 0 for the same character. */
function stepOf(a: string, b: string): number | undefined {
  if (a === b) {
    return 0;
  }
  for (const row of KEYBOARD_ROWS) {
    const at = row.indexOf(a);
    if (at !== -1 && row[at + 1] === b) {
      return 1;
    }
    if (at !== -1 && row[at - 1] === b) {
      return -1;
    }
  }
  return undefined;
}

const ESTIMATED_CHARS = 512;

/** The entropy a production JWT_SECRET must be estimated to have. */
export const MIN_SECRET_BITS = 128;

/** Why a guessable secret is refused, and how to make a good one; never the secret itself. */
export const WEAK_SECRET =
  `must be random: it is estimated at under ${MIN_SECRET_BITS} bits of entropy (words, runs or ` +
  'repeats); generate one with `openssl rand -base64 48`';
