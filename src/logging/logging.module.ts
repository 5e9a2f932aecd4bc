import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.schema.js';
import { Loggers, PinoLoggerService } from './loggers.js';

/**
 * Structured logs (pino): one line per request with its id (Fastify's request.id, see
 * http-app.ts), status and time, written by a Fastify onResponse hook (request-log.ts); the
 * application's own lines (Nest's Logger, audit events) through PinoLoggerService. JSON in
 * production, one readable line per entry in development.
 *
 * Not nestjs-pino: it binds each request's logger with AsyncLocalStorage, which on Node.js 20
 * turns on promise hooks for every promise in the process. With its pino-http middleware it
 * took GET /user from 16.1k to 11.9k req/s with logging silenced (AsyncLocalStorage alone:
 * 12.4k). Lines written inside a request carry its id because their caller passes it
 * (audit.ts, the exception filter).
 */
@Global()
@Module({
  providers: [
    {
      provide: Loggers,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) =>
        new Loggers(config.get('LOG_LEVEL', { infer: true }), config.get('LOG_FORMAT', { infer: true })),
    },
    {
      provide: PinoLoggerService,
      inject: [Loggers],
      useFactory: (loggers: Loggers) => new PinoLoggerService(loggers.app),
    },
  ],
  exports: [Loggers, PinoLoggerService],
})
export class LoggingModule {}
