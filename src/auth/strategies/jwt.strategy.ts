import type { KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-jwt';
import type { Env } from '../../config/env.schema.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import { UsersService } from '../../users/users.service.js';
import { checkAccessToken, type AccessTokenPolicy } from '../access-token.js';
import type { AuthUser } from '../auth-user.js';
import { InvalidTokenError } from '../invalid-token.error.js';
import { SIGNING_KEY } from '../signing-key.module.js';
import { extractBearerToken } from './bearer-token.extractor.js';

/**
 * Verifies access tokens: HS256 only, with the service's own key (never one named in the
 * token), its issuer and audience, then the full claim profile, then that its session has
 * not ended and the user still exists and is enabled. Both are in-memory checks.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  private readonly policy: AccessTokenPolicy;

  constructor(
    @Inject(SIGNING_KEY) key: KeyObject,
    config: ConfigService<Env, true>,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
  ) {
    const clockTolerance = config.get('JWT_CLOCK_TOLERANCE', { infer: true });
    super({
      jwtFromRequest: extractBearerToken,
      // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject; its typings predate that.
      secretOrKey: key as unknown as string,
      algorithms: ['HS256'],
      issuer: config.get('JWT_ISSUER', { infer: true }),
      audience: config.get('JWT_AUDIENCE', { infer: true }),
      // `complete` hands validate() the header too, so it can refuse kid, jku, crit and friends.
      jsonWebTokenOptions: { complete: true, clockTolerance },
    });
    this.policy = { ttl: config.get('ACCESS_TOKEN_TTL', { infer: true }), clockTolerance };
  }

  async validate(decoded: unknown): Promise<AuthUser> {
    const claims = checkAccessToken(decoded, this.policy);
    if (this.sessions.isRevoked(claims.sid)) {
      throw new InvalidTokenError('session ended');
    }
    const user = await this.users.findActive(claims.id);
    if (user === null) {
      throw new InvalidTokenError('user is gone or disabled');
    }
    return { id: user.id, name: user.name, sessionId: claims.sid };
  }
}
