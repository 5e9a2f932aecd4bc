import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/request-context/auth-user.js';
import { HandlerMetadata } from '../../common/request-context/handler-metadata.js';
import type { Role } from '../../common/request-context/role.js';
import { ROLES_KEY } from '../../common/request-context/roles.decorator.js';

/**
 * The second global guard (APP_GUARD, after JwtAuthGuard): a route marked @Roles() needs a caller
 * holding one of them. The roles are the account's current ones (the JWT strategy reads them from
 * the user store's cache on every request), so a promotion or demotion applies to live tokens.
 * An unauthenticated caller never gets here: JwtAuthGuard has answered 401.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly roles: HandlerMetadata<Role[]>;

  constructor(reflector: Reflector) {
    this.roles = new HandlerMetadata(reflector, ROLES_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    const required = this.roles.get(context);
    if (required === undefined || required.length === 0) {
      return true;
    }
    const user = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>().user;
    if (user === undefined || !required.some((role) => user.roles.includes(role))) {
      throw new ForbiddenException(`this route needs the ${required.join(' or ')} role`);
    }
    return true;
  }
}
