import { z } from 'zod';

/**
 * A whole number written in decimal digits, between min and max. Stricter than z.coerce,
 * which would read "0x50" as 80 and "1e3" as 1000.
 */
export const wholeNumber = (min: number, max: number, what: string) =>
  z
    .string()
    .regex(/^\d+$/, `must be ${what}`)
    .transform(Number)
    .pipe(
      z.number().min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`),
    );

export const integer = (fallback: number, min: number, max: number, what: string) =>
  wholeNumber(min, max, what).default(fallback);

export const seconds = (fallback: number, min = 1, max = 10 * 365 * 86_400) =>
  integer(fallback, min, max, 'a whole number of seconds');

/** true/false (or 1/0); unset leaves the choice to the default the caller derives. */
export const flag = () =>
  z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .transform((value) => value === 'true' || value === '1')
    .optional();

/** Where a cross-variable check reports: the `ctx` of the schema's superRefine. */
export interface EnvIssues {
  addIssue(issue: { code: 'custom'; path: string[]; message: string }): void;
}
