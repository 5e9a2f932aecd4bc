import { Module } from '@nestjs/common';
import { RedisConnection } from '../redis/redis-connection.js';
import { AddressThrottlerGuard } from './address-throttler.guard.js';
import { MailTargetLimiter } from './mail-target-limiter.js';
import { LOGIN_ATTEMPT_STORE, LoginAttemptLimiter, MemoryLoginAttemptStore } from './login-attempts.js';
import { MemoryThrottlerStorage, THROTTLER_STORAGE } from './memory-throttler.storage.js';
import { RedisLoginAttemptStore } from './redis-login-attempt.store.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';

const redis = { token: RedisConnection, optional: true };

/**
 * Throttling of the routes that take a secret: per client address (AddressThrottlerGuard) and
 * per account name for failed logins (LoginAttemptLimiter), per target for the public mail routes
 * (MailTargetLimiter). All keep their counters behind a
 * storage interface: in memory, or shared through Redis when REDIS_URL is set (RedisModule
 * provides RedisConnection), falling back to memory while Redis is unreachable.
 */
@Module({
  providers: [
    AddressThrottlerGuard,
    LoginAttemptLimiter,
    MailTargetLimiter,
    {
      provide: THROTTLER_STORAGE,
      inject: [redis],
      useFactory: (connection?: RedisConnection) =>
        connection === undefined ? new MemoryThrottlerStorage() : new RedisThrottlerStorage(connection),
    },
    {
      provide: LOGIN_ATTEMPT_STORE,
      inject: [redis],
      useFactory: (connection?: RedisConnection) =>
        connection === undefined ? new MemoryLoginAttemptStore() : new RedisLoginAttemptStore(connection),
    },
  ],
  exports: [AddressThrottlerGuard, LoginAttemptLimiter, MailTargetLimiter, THROTTLER_STORAGE],
})
export class ThrottlingModule {}
