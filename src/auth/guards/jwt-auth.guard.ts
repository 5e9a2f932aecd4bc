import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import jsonwebtoken from 'jsonwebtoken';
import type { AuthUser } from '../../common/request-context/auth-user.js';
import { HandlerMetadata } from '../../common/request-context/handler-metadata.js';
import { BearerChallengeException } from '../bearer-challenge.exception.js';
import { IS_PUBLIC_KEY } from '../../common/request-context/public.decorator.js';
import { InvalidTokenError } from '../invalid-token.error.js';
import { namesBearerScheme } from '../strategies/bearer-token.extractor.js';
import { JwtStrategy } from '../strategies/jwt.strategy.js';

/**
 * The global guard (APP_GUARD): every route needs a valid access token unless it, or its
 * controller, is marked @Public(). Failures become RFC 6750 challenges.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly isPublic: HandlerMetadata<boolean>;

  constructor(
    reflector: Reflector,
    private readonly strategy: JwtStrategy,
  ) {
    super();
    this.isPublic = new HandlerMetadata(reflector, IS_PUBLIC_KEY);
  }

  /**
   * A token JwtStrategy remembers, whose session and user are in memory and pass, is let through
   * here, synchronously, without entering passport: passport's authenticate() builds closures, a
   * promise and an options object per request, about a fifth of GET /user's allocation
   * (docs/decisions.md). Everything else (a new token, a refused one, a user to look up) takes
   * passport's path, where JwtStrategy verifies or refuses it as before.
   */
  override canActivate(context: ExecutionContext) {
    if (this.isPublic.get(context) === true) {
      return true;
    }
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const user = this.strategy.rememberedUser(request);
    if (user !== undefined) {
      request.user = user;
      return true;
    }
    return super.canActivate(context);
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
