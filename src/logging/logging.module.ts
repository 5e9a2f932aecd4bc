import type { IncomingMessage, ServerResponse } from 'node:http';
import { Module, RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { Env } from '../config/env.schema.js';

/**
 * Structured logs (pino): one line per request with its id (Fastify's request.id, see
 * http-app.ts), status and time, and the audit events (src/logging/audit.ts) bound to the same id. JSON in production, one readable line
 * per entry in development. Requests are logged by method, path, status and address only:
 * no query string, no headers, no bodies; the credential headers are also redacted should a
 * future serializer include them.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => {
        const pretty = config.get('LOG_FORMAT', { infer: true }) === 'pretty';
        return {
          // nestjs-pino's default route, '{/*splat}', matches no request on platform-fastify
          // 12.5 (checked here: its middleware never ran, so no request line and no request
          // id); '*' matches every path.
          forRoutes: [{ path: '*', method: RequestMethod.ALL }],
          pinoHttp: {
            level: config.get('LOG_LEVEL', { infer: true }),
            serializers: {
              req: (request: { id: string; method: string; url: string; remoteAddress?: string }) => ({
                id: request.id,
                method: request.method,
                path: request.url.split('?')[0],
                remoteAddress: request.remoteAddress,
              }),
              res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
            },
            redact: {
              paths: [
                'req.headers.authorization',
                'req.headers.cookie',
                'res.headers["set-cookie"]',
                '*.password',
                '*.refreshToken',
                '*.token',
              ],
              censor: '[redacted]',
            },
            customLogLevel: (_request: IncomingMessage, response: ServerResponse, error?: Error) =>
              error !== undefined || response.statusCode >= 500 ? 'error' : 'info',
            transport: pretty
              ? {
                  target: 'pino-pretty',
                  options: { singleLine: true, ignore: 'pid,hostname' },
                }
              : undefined,
          },
        };
      },
    }),
  ],
})
export class LoggingModule {}
