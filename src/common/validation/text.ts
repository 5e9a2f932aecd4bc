// What "a character" and "well-formed" mean, once for every check of names and passwords: the
// DTOs, the access-token claim check, the environment schema and the CLI all use these.

/** A UTF-16 surrogate that is not part of a pair: JSON's "\ud800" escape can produce one. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether `value` is well-formed Unicode: no unpaired surrogates, which UTF-8 cannot encode. */
export function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/**
 * The length of `value` in characters, i.e. Unicode code points: "é" as one code point is 1,
 * an emoji outside the BMP is 1 (it is 2 UTF-16 units), a flag (two regional indicators) is 2.
 * PostgreSQL's varchar(n) counts the same way.
 */
export function charLength(value: string): number {
  let length = 0;
  for (const _ of value) {
    length += 1;
  }
  return length;
}
