import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import jsonwebtoken from 'jsonwebtoken';
import type { AuthUser } from '../../common/request-context/auth-user.js';
import { BearerChallengeException } from '../bearer-challenge.exception.js';
import { IS_PUBLIC_KEY } from '../../common/request-context/public.decorator.js';
import { InvalidTokenError } from '../invalid-token.error.js';
import { namesBearerScheme } from '../strategies/bearer-token.extractor.js';

/**
 * The global guard (APP_GUARD): every route needs a valid access token unless it, or its
 * controller, is marked @Public(). Failures become RFC 6750 challenges.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic === true || super.canActivate(context);
  }

  /**
   * `error` is what validate() threw; `info` is passport-jwt's reason for a token it refused
   * itself (jsonwebtoken's errors, or "no auth token").
   */
  override handleRequest<TUser = AuthUser>(
    error: unknown,
    user: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (error instanceof Error && !(error instanceof InvalidTokenError)) {
      throw error; // a fault (say, the database), not a bad token: the filter answers 500
    }
    if (user) {
      return user;
    }
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    if (header === undefined || !namesBearerScheme(header)) {
      // No bearer credentials at all (none, or another scheme such as Basic): RFC 6750 §3.1
      // says the challenge then carries no error code.
      throw BearerChallengeException.missing();
    }
    throw BearerChallengeException.invalid(
      info instanceof jsonwebtoken.TokenExpiredError ? 'expired' : 'invalid',
    );
  }
}
