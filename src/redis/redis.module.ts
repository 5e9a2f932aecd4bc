import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Env } from '../config/env.schema.js';
import { Metrics } from '../metrics/metrics.js';
import { InstanceEvents } from './instance-events.js';
import { REDIS_HEALTH } from '../common/health/redis-health.js';
import { RedisConnection } from './redis-connection.js';
import { redisHealth } from './redis-health.js';

/**
 * Redis, when REDIS_URL is set: the connections (RedisConnection, whose state readiness reads
 * through REDIS_HEALTH) and the instances' channel (InstanceEvents). Global, so that sessions/,
 * users/ and throttling/ choose their shared implementations by whether these are provided;
 * without REDIS_URL the module provides nothing and no Redis code runs.
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(env: Env): DynamicModule {
    if (env.REDIS_URL === undefined) {
      return { module: RedisModule };
    }
    return {
      module: RedisModule,
      providers: [
        {
          provide: RedisConnection,
          inject: [Metrics],
          useFactory: async (metrics: Metrics) => {
            const connection = await RedisConnection.open(env);
            metrics.watchRedis(() => connection.isUp());
            return connection;
          },
        },
        { provide: REDIS_HEALTH, inject: [RedisConnection], useFactory: redisHealth },
        {
          provide: InstanceEvents,
          inject: [RedisConnection, Metrics],
          useFactory: (c: RedisConnection, metrics: Metrics) => new InstanceEvents(c, metrics),
        },
      ],
      exports: [RedisConnection, REDIS_HEALTH, InstanceEvents],
    };
  }
}
