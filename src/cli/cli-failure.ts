import { DomainError } from '../common/errors/domain-error.js';
import { InvalidEnvironmentError } from '../config/env.schema.js';
import { loggableError } from '../logging/loggable-error.js';
import { CliError, ExitCode } from './cli-error.js';
import { PromptInterruptedError } from './password-input.js';

/**
 * The exit code of each domain failure (DomainError's `code`) that has one of its own; any other
 * is a Failure. The message is the error's own: the same words the HTTP API answers with.
 */
const EXIT_CODES: Readonly<Partial<Record<string, ExitCode>>> = {
  last_admin: ExitCode.Refused,
  name_taken: ExitCode.NameTaken,
  invite_needs_mail: ExitCode.InvalidInput,
};

/** One line for stderr and the exit code; never a stack, never a value that may be a secret. */
export function describeFailure(error: unknown): { message: string; code: ExitCode } {
  if (error instanceof CliError) {
    return { message: error.message, code: error.exitCode };
  }
  if (error instanceof DomainError) {
    return { message: error.message, code: EXIT_CODES[error.code] ?? ExitCode.Failure };
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
