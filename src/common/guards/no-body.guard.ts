import { BadRequestException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
// Where @Body() records itself; not in @nestjs/common's index, but exported by its package.json.
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { FastifyRequest } from 'fastify';
import { isObject } from '../validation/is-object.js';

/**
 * Refuses a body on every route that reads none (no @Body() parameter: POST /logout,
 * DELETE /user/sessions/:id), so that what such a route accepts is what it documents. `{}` counts
 * as no body: it says nothing, and some clients send it by default. A body that is not JSON never
 * gets here: Fastify's parser answers 415 (or 413) first.
 *
 * A guard rather than an interceptor: with any interceptor, Nest runs every request through an
 * RxJS pipeline (defer, mergeAll, lastValueFrom), which cost GET /user about a fifth of its rate
 * (docs/performance.md). Registered after JwtAuthGuard and RolesGuard (auth.module.ts), so a
 * request without a valid token is still a 401 first.
 */
@Injectable()
export class NoBodyGuard implements CanActivate {
  private readonly readsBody = new WeakMap<object, boolean>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() === 'http' && !this.handlerReadsBody(context)) {
      const { body } = context.switchToHttp().getRequest<FastifyRequest>();
      if (body !== undefined && !isEmptyObject(body)) {
        throw new BadRequestException('request body must be empty');
      }
    }
    return true;
  }

  private handlerReadsBody(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let reads = this.readsBody.get(handler);
    if (reads === undefined) {
      const params = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ??
        {}) as Record<string, unknown>;
      reads = Object.keys(params).some((key) => key.split(':')[0] === String(RouteParamtypes.BODY));
      this.readsBody.set(handler, reads);
    }
    return reads;
  }
}

function isEmptyObject(value: unknown): boolean {
  return isObject(value) && Object.keys(value).length === 0;
}
