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
 * Not nestjs-pino: its AsyncLocalStorage turns on promise hooks for every promise on Node.js 20,
 * a cost on every request (docs/decisions.md). Lines written inside a request carry its id
 * because their caller passes it (audit.ts, the exception filter).
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
