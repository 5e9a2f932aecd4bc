import { ConsoleLogger } from '@nestjs/common';
import { loggableError, loggableStack } from './logging/loggable-error.js';

/** Where Nest logs a failed start (with a stack) before rethrowing it to main.ts. */
const START_FAILURE_CONTEXTS = new Set(['ExceptionHandler', 'NestApplication']);

/**
 * Nest logs a failed start with its stack; main.ts already prints the cause as one line,
 * which is what an operator with a bad environment variable or a taken port needs.
 */
export class StartupLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    if (START_FAILURE_CONTEXTS.has(String(rest.at(-1)))) {
      return;
    }
    // TypeORM's module logs a failed connection or migration with the error's stack as a string.
    super.error(
      loggableError(message),
      ...rest.map((part) => (typeof part === 'string' ? loggableStack(part) : loggableError(part))),
    );
  }
}
