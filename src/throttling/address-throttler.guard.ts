import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { Env } from '../config/env.schema.js';
import { AuditLog } from '../logging/audit.js';
import { Metrics } from '../metrics/metrics.js';
import { addressKey } from './address-key.js';
import { LOGIN_ROUTE } from './login-route.decorator.js';
import { THROTTLER_STORAGE } from './memory-throttler.storage.js';
import { TooManyAttemptsError } from './too-many-attempts.error.js';

const WINDOW_MS = 60_000;

/**
 * Limits attempts per client address (LOGIN_RATE_LIMIT a minute, per route) on the routes that
 * take a secret: login, refresh, sign-up. Bound with @UseGuards on exactly those routes: a
 * throttler that is configured but never bound protects nothing. The address is Fastify's
 * `request.ip`, which honours X-Forwarded-For only from the proxies named in TRUST_PROXY, counted
 * by its /64 when it is IPv6 (address-key.ts).
 *
 * Why not @nestjs/throttler's ThrottlerGuard: its 6.x build is CommonJS and require()s the
 * ESM-only @nestjs/common 12, which Node 20.19+ allows but Jest's module loader cannot (before
 * Node 24.9), so the guard could not run under the e2e tests. Its storage contract is kept.
 */
@Injectable()
export class AddressThrottlerGuard implements CanActivate {
  private readonly limit: number;

  constructor(
    @Inject(THROTTLER_STORAGE) private readonly storage: ThrottlerStorage,
    config: ConfigService<Env, true>,
    private readonly metrics: Metrics,
    private readonly reflector: Reflector,
    private readonly auditLog: AuditLog,
  ) {
    this.limit = config.get('LOGIN_RATE_LIMIT', { infer: true });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { ip, id } = context.switchToHttp().getRequest<FastifyRequest>();
    const route = `${context.getClass().name}.${context.getHandler().name}`;
    const { isBlocked, timeToBlockExpire } = await this.storage.increment(
      `address:${route}:${addressKey(ip)}`,
      WINDOW_MS,
      this.limit,
      0,
      'address',
    );
    if (isBlocked) {
      this.auditLog.record(
        'login.throttled',
        { requestId: id, ip },
        { scope: 'address', route, retryAfter: timeToBlockExpire },
      );
      this.metrics.throttled('address');
      if (this.reflector.get<boolean | undefined>(LOGIN_ROUTE, context.getHandler()) === true) {
        this.metrics.login('throttled');
      }
      throw new TooManyAttemptsError(Math.max(1, timeToBlockExpire));
    }
    return true;
  }
}
