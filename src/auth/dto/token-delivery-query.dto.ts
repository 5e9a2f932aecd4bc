import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/**
 * `?refreshToken=cookie` on POST /login and POST /refresh: deliver the refresh token only as
 * the HttpOnly cookie, leaving it out of the JSON body, so page scripts never see it. The
 * bundled pages always ask for this; API clients that keep the token themselves do not.
 */
export class TokenDeliveryQueryDto {
  @ApiPropertyOptional({
    enum: ['cookie'],
    description:
      'Deliver the refresh token only as the HttpOnly cookie, not in the body (what the pages ask for).',
  })
  @IsOptional()
  @IsIn(['cookie'], { message: 'refreshToken must be "cookie" when given' })
  refreshToken?: 'cookie';
}
