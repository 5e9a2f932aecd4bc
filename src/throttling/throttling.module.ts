import { Module } from '@nestjs/common';
import { AddressThrottlerGuard } from './address-throttler.guard.js';
import { LOGIN_ATTEMPT_STORE, LoginAttemptLimiter, MemoryLoginAttemptStore } from './login-attempts.js';
import { MemoryThrottlerStorage, THROTTLER_STORAGE } from './memory-throttler.storage.js';

/**
 * Throttling of the routes that take a secret: per client address (AddressThrottlerGuard) and
 * per account name for failed logins (LoginAttemptLimiter). Both keep their counters behind a
 * storage interface, in memory here; a shared store (Redis) replaces the two providers.
 */
@Module({
  providers: [
    AddressThrottlerGuard,
    LoginAttemptLimiter,
    { provide: THROTTLER_STORAGE, useFactory: () => new MemoryThrottlerStorage() },
    { provide: LOGIN_ATTEMPT_STORE, useFactory: () => new MemoryLoginAttemptStore() },
  ],
  exports: [AddressThrottlerGuard, LoginAttemptLimiter, THROTTLER_STORAGE],
})
export class ThrottlingModule {}
