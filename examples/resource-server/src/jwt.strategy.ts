import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { CONFIG, type ResourceServerConfig } from './config.js';
import type { AuthUser } from './current-user.decorator.js';

/**
 * Verifies the issuer's access tokens with its public keys, fetched from its JWKS by the token's
 * `kid` and cached; a kid not in the cache (a key rotated in) is fetched on first sight.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(@Inject(CONFIG) config: ResourceServerConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: passportJwtSecret({
        jwksUri: config.jwksUri,
        cache: true,
        cacheMaxAge: config.jwksCacheMaxAgeMs,
        rateLimit: true,
        jwksRequestsPerMinute: config.jwksRequestsPerMinute,
      }),
      // Pinned, never taken from the token: no `none`, no HS256 "signed" with the public key.
      algorithms: ['ES256', 'RS256'],
      issuer: config.issuer,
      audience: config.audience,
    });
  }

  /** The signature, exp, iss and aud are verified by now; the rest of the profile is checked here. */
  validate(payload: Record<string, unknown>): AuthUser {
    const { sub, name } = payload;
    if (typeof sub !== 'string' || sub === '' || typeof name !== 'string') {
      throw new UnauthorizedException();
    }
    return { sub, name };
  }
}
