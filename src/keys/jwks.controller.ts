import { Controller, Get, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Env } from '../config/env.schema.js';
import { Public } from '../common/request-context/public.decorator.js';
import { KeyRing } from './key-ring.js';

const JWKS_EXAMPLE = {
  keys: [
    {
      kty: 'EC',
      crv: 'P-256',
      x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
      y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
      kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
      alg: 'ES256',
      use: 'sig',
    },
  ],
};

/**
 * The public keys access tokens are signed with (RFC 7517), for other services to verify our
 * tokens without holding a secret (docs/verifying-tokens.md). Cached by verifiers for
 * JWKS_MAX_AGE; a key is published that long before it signs.
 */
@ApiTags('keys')
@Public()
@Controller('.well-known')
export class JwksController {
  private readonly cacheControl: string;

  constructor(
    private readonly keys: KeyRing,
    config: ConfigService<Env, true>,
  ) {
    this.cacheControl = `public, max-age=${config.get('JWKS_MAX_AGE', { infer: true })}`;
  }

  @Get('jwks.json')
  @ApiOperation({
    summary: 'The public keys tokens are signed with (JWKS)',
    description:
      'Keys in the states next, active and retiring; none with JWT_ALGORITHM=HS256. Cache-Control: public, max-age=JWKS_MAX_AGE.',
  })
  @ApiOkResponse({ description: 'A JWK Set', schema: { type: 'object', example: JWKS_EXAMPLE } })
  jwks(@Res({ passthrough: true }) reply: FastifyReply): string {
    // Public keys, for anyone: a browser app on another origin may fetch them too.
    void reply
      .header('Cache-Control', this.cacheControl)
      .header('Access-Control-Allow-Origin', '*')
      .header('Cross-Origin-Resource-Policy', 'cross-origin')
      .type('application/json; charset=utf-8');
    return this.keys.jwks();
  }
}
