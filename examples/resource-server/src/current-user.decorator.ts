import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** The caller of a guarded route, as JwtStrategy.validate() maps a verified token. */
export interface AuthUser {
  /** The issuer's user id, as a string. */
  sub: string;
  name: string;
}

/** Hands a guarded handler its verified caller. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthUser =>
    context.switchToHttp().getRequest<{ user: AuthUser }>().user,
);
