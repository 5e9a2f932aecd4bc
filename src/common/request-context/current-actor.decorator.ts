import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Actor } from './actor.js';
import type { AuthUser } from './auth-user.js';

/**
 * The caller as an Actor: the request's id, address (request.ip, which honours TRUST_PROXY) and
 * User-Agent, and on guarded routes the session of their access token.
 */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
  return {
    requestId: request.id,
    sessionId: request.user?.sessionId,
    userId: request.user?.id,
    ip: request.ip,
    userAgent: request.headers['user-agent'],
  };
});
