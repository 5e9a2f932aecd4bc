import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
/**
 * The body of POST /refresh: required, `{}` when the refresh token is the cookie. A request with no
 * body is what another origin can send without a CORS preflight, so it must not spend the cookie.
 */
export class RefreshDto {
  @ApiPropertyOptional({
    description:
      'The refresh token from the last login or refresh; without it (a body of `{}`), the `refresh_token` cookie is read.',
    minLength: 1,
    maxLength: 256,
  })
  @IsOptional()
  @Length(1, 256, { message: 'refreshToken must be 1 to 256 characters' })
  @IsString({ message: 'refreshToken must be a string' })
  refreshToken?: string;
}
