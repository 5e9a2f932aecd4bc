import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { NAME_MAX_LENGTH } from '../../common/validation/limits.js';
import { MaxChars } from '../../common/validation/text.decorators.js';
import { IsCursor, IsPageLimit } from './page-query.rules.js';

/** `GET /admin/users?search=&limit=&cursor=`. */
export class ListUsersQueryDto {
  @ApiPropertyOptional({
    maxLength: NAME_MAX_LENGTH,
    description: 'Only names that start with this, compared case-insensitively.',
  })
  @MaxChars(NAME_MAX_LENGTH)
  @IsString({ message: 'search must be given once' })
  @IsOptional()
  search?: string;

  @IsPageLimit()
  limit?: string;

  @IsCursor()
  cursor?: string;
}
