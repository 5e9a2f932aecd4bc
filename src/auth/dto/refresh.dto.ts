import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { AllowEmptyBody } from '../../common/pipes/allow-empty-body.decorator.js';

/** The body of POST /refresh. Browsers send nothing: their refresh token is in a cookie. */
@AllowEmptyBody()
export class RefreshDto {
  @ApiPropertyOptional({
    description:
      'The refresh token from the last login or refresh; without it, the `refresh_token` cookie is read.',
    minLength: 1,
    maxLength: 256,
  })
  @IsOptional()
  @Length(1, 256, { message: 'refreshToken must be 1 to 256 characters' })
  @IsString({ message: 'refreshToken must be a string' })
  refreshToken?: string;
}
