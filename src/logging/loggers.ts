import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type LogFn, type Logger } from 'pino';
import type { Env } from '../config/env.schema.js';
import { loggableError, loggableFields, loggableStack } from './loggable-error.js';

/**
 * The service's two pino loggers, writing to one stream: JSON lines on stdout, or pino-pretty's
 * single readable lines in development.
 */
export class Loggers {
  /**
   * The application's lines (Nest's Logger, audit events). Credential fields are redacted should
   * a future line ever include one; no line written today does.
   */
  readonly app: Logger;
  /**
   * One line per request (request-log.ts). Its fields are fixed and hold no credential, so it
   * skips redaction, which is not free on a line written for every request.
   */
  readonly requests: Logger;

  /** `destination` is for tests: where the lines go instead of stdout. */
  constructor(level: Env['LOG_LEVEL'], format: Env['LOG_FORMAT'], destination?: DestinationStream) {
    destination ??=
      format === 'pretty'
        ? pino.transport({ target: 'pino-pretty', options: { singleLine: true, ignore: 'pid,hostname' } })
        : // Asynchronous: a line is queued and written with the lines queued with it while the write
          // before was in flight, so under load one write carries many lines, and at rest each goes
          // out at once (no minLength: nothing waits for a buffer to fill). pino flushes what is
          // queued synchronously on exit, process.exit() after SIGTERM and a fatal error included
          // (test/e2e/process.e2e-spec.ts). Figures: docs/performance.md.
          pino.destination({ dest: 1, sync: false });
    this.app = pino(
      {
        level,
        redact: {
          paths: [
            'req.headers.authorization',
            'req.headers.cookie',
            '*.password',
            '*.refreshToken',
            '*.token',
          ],
          censor: '[redacted]',
        },
        // A failed statement is logged without its parameters or the values the database quotes
        // back, whichever field holds the error (loggable-error.ts).
        // A hook, not formatters.log: pino takes a line's msg from `err.message` before that runs.
        hooks: {
          logMethod(args: Parameters<LogFn>, method: LogFn) {
            const [first, ...rest] = args as unknown[];
            const loggable =
              first instanceof Error
                ? loggableError(first)
                : typeof first === 'object' && first !== null
                  ? loggableFields(first as Record<string, unknown>)
                  : first;
            return method.apply(this, [loggable, ...rest] as Parameters<LogFn>);
          },
        },
      },
      destination,
    );
    this.requests = pino({ level }, destination);
  }
}

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's LoggerService over pino, so that Nest's own lines and `new Logger(context)` in our code
 * come out as structured lines: `context` as a field, an object message merged into the line,
 * an Error (or the stack Nest passes to error()) as `err`/`stack`.
 */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Nest's convention: the last string parameter is the context; for error(), one before it may be a stack. */
  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) {
      return;
    }
    // Nest's Logger passes undefined for an absent stack or context.
    const rest = params.filter((param) => param !== undefined);
    const context = typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    let stack = level === 'error' && typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    if (stack !== undefined) {
      stack = loggableStack(stack);
    }
    const fields: Record<string, unknown> = { context, stack };
    if (rest.length > 0) {
      fields.params = rest.map((param) => (typeof param === 'string' ? loggableStack(param) : param));
    }
    if (message instanceof Error) {
      const err = loggableError(message) as Error;
      this.logger[level]({ ...fields, err }, err.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...message });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
