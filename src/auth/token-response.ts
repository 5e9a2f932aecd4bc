import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** What login and refresh answer: the pair, without the cookie-only bookkeeping. */
export class TokenResponse {
  @ApiProperty({
    description:
      'The access token, a JWT signed with `JWT_ALGORITHM` (ES256 by default; its `kid` names a key ' +
      'of GET /.well-known/jwks.json): send it as `Authorization: Bearer <token>`.',
    example:
      'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiIxIiwibmFtZSI6ImFkbWluIn0.c2lnbmF0dXJl',
  })
  token!: string;

  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ type: 'integer', description: 'Seconds until the access token expires.', example: 900 })
  expiresIn!: number;

  @ApiPropertyOptional({
    description:
      'Opaque, single use: spend it at POST /refresh for a new pair. Left out with ' +
      '`?refreshToken=cookie`; it is always also set as the HttpOnly `refresh_token` cookie.',
    example: 'Xq3vJ9v2m3cN1bq6Hk0yZpQ8sW4tR7uE5aL2dF1gH0k',
  })
  refreshToken?: string;
}
