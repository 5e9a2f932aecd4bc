import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, ValidateBy } from 'class-validator';
import { ID_MAX } from '../../common/validation/limits.js';

export const PAGE_LIMIT_MAX = 100;
export const PAGE_LIMIT_DEFAULT = 50;

/** `limit=`: 1 to 100 items a page (query strings are text: checked as digits, parsed after). */
export const IsPageLimit = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: 1,
      maximum: PAGE_LIMIT_MAX,
      default: PAGE_LIMIT_DEFAULT,
      description: 'Items a page.',
    }),
    Matches(/^(?:[1-9]|[1-9][0-9]|100)$/, {
      message: `limit must be an integer from 1 to ${PAGE_LIMIT_MAX}`,
    }),
    IsString({ message: 'limit must be given once' }),
    IsOptional(),
  );

/** The text of a row id: digits, no sign or leading zero, at most ID_MAX. */
const ID_TEXT = /^[1-9][0-9]{0,9}$/;
const isIdText = (value: unknown) =>
  typeof value === 'string' && ID_TEXT.test(value) && Number(value) <= ID_MAX;

/**
 * A query parameter that is a row id: at most ID_MAX once its own pattern (digits) passed, a
 * larger one being a database error on PostgreSQL (a 500). `name` words the message.
 */
export const IsIdText = (name: string) =>
  ValidateBy({
    name: 'isIdText',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || !/^[0-9]+$/.test(value) || isIdText(value),
      defaultMessage: () => `${name} must be at most ${ID_MAX}`,
    },
  });

/**
 * `cursor=`: the `nextCursor` of the page before, and nothing else. Opaque to clients; the
 * document gives its form (an id), and a value of that form that no page gave is still answered
 * as a position in the list (past the last id: an empty page, or from the newest).
 */
export const IsCursor = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'string',
      pattern: ID_TEXT.source,
      maxLength: 10,
      description: "The previous page's `nextCursor`, as given; no other value.",
    }),
    IsOptional(),
    IsString({ message: 'cursor must be given once' }),
    Matches(ID_TEXT, { message: "cursor must be a page's nextCursor" }),
  );

export const pageLimit = (limit: string | undefined) =>
  limit === undefined ? PAGE_LIMIT_DEFAULT : Number(limit);
/**
 * The id a cursor stands for, or undefined for none. Past ID_MAX no row is: a cursor there (of
 * the documented form, but never a nextCursor) is no bound, `outside`, instead of a query
 * PostgreSQL would refuse.
 */
export const cursorId = (cursor: string | undefined, outside: 'none' | 'max' = 'none') => {
  if (cursor === undefined) {
    return undefined;
  }
  const id = Number(cursor);
  return id <= ID_MAX ? id : outside === 'max' ? ID_MAX : undefined;
};
