import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';

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

/** `cursor=`: the `nextCursor` of the page before. Opaque to clients; an id here. */
export const IsCursor = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'string',
      maxLength: 16,
      description: "The previous page's `nextCursor`.",
    }),
    IsOptional(),
    IsString({ message: 'cursor must be given once' }),
    Matches(/^[1-9][0-9]{0,15}$/, { message: "cursor must be a page's nextCursor" }),
  );

export const pageLimit = (limit: string | undefined) =>
  limit === undefined ? PAGE_LIMIT_DEFAULT : Number(limit);
export const cursorId = (cursor: string | undefined) => (cursor === undefined ? undefined : Number(cursor));
