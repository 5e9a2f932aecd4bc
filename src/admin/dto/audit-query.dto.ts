import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { ID_MAX } from '../../common/validation/limits.js';
import { IsCursor, IsIdText, IsPageLimit } from './page-query.rules.js';

/** An audit event's name, as the `event` filter takes it (documented as the parameter's pattern). */
const EVENT_NAME = /^[a-z][a-z_.]{0,63}$/;

/** `GET /admin/audit?event=&user=&since=&until=&limit=&cursor=`. */
export class AuditQueryDto {
  @ApiPropertyOptional({
    maxLength: 64,
    pattern: EVENT_NAME.source,
    example: 'login.failed',
    description: 'Only this event.',
  })
  @IsOptional()
  @IsString({ message: 'event must be given once' })
  @Matches(EVENT_NAME, { message: 'event must be an event name such as login.failed' })
  event?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: ID_MAX,
    description: 'Only events about this user id.',
  })
  @IsOptional()
  @IsString({ message: 'user must be given once' })
  @Matches(/^[1-9][0-9]*$/, { message: 'user must be a positive integer' })
  @IsIdText('user')
  user?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    maxLength: 40,
    description: 'Only events at or after this time.',
  })
  @IsOptional()
  @IsString({ message: 'since must be given once' })
  @IsISO8601({ strict: true }, { message: 'since must be an ISO 8601 date-time' })
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', maxLength: 40, description: 'Only events before this time.' })
  @IsOptional()
  @IsString({ message: 'until must be given once' })
  @IsISO8601({ strict: true }, { message: 'until must be an ISO 8601 date-time' })
  until?: string;

  @IsPageLimit()
  limit?: string;

  @IsCursor()
  cursor?: string;
}
