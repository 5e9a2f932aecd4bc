import { InvalidEnvironmentError } from '../config/env.schema.js';
import { loggableError } from '../logging/loggable-error.js';
import { CliError, ExitCode } from './cli-error.js';
import { PromptInterruptedError } from './password-input.js';

/** One line for stderr and the exit code; never a stack, never a value that may be a secret. */
export function describeFailure(error: unknown): { message: string; code: ExitCode } {
  if (error instanceof CliError) {
    return { message: error.message, code: error.exitCode };
  }
  if (error instanceof PromptInterruptedError) {
    return { message: 'interrupted', code: ExitCode.Interrupted };
  }
  if (error instanceof InvalidEnvironmentError) {
    return { message: error.message, code: ExitCode.Failure };
  }
  // A failed statement's message may quote a value (PostgreSQL's "invalid input syntax ...").
  const loggable = loggableError(error);
  const message = loggable instanceof Error ? loggable.message : String(loggable);
  return { message: message.split('\n', 1)[0], code: ExitCode.Failure };
}
