/**
 * A failure the domain names: services and repositories throw these, never an HTTP exception.
 * The edges translate them once: the exception filter (common/filters/) into the JSON error with
 * `status` and any `responseHeaders`, the CLI (src/cli/cli-failure.ts) into its exit code and line.
 */
export abstract class DomainError extends Error {
  /** Stable and machine-readable (`name_taken`): what code and tests branch on, never the wording. */
  abstract readonly code: string;
  /** The HTTP status the exception filter answers with. */
  abstract readonly status: number;
  /**
   * Whether `message` may be sent to the client; when false the answer says only the status's
   * reason phrase. At 500 and above the filter never sends a message anyway.
   */
  readonly expose: boolean = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No such thing (a user, a passkey, a second factor that is not on): 404. */
export class NotFoundError extends DomainError {
  readonly code: string = 'not_found';
  readonly status: number = 404;
}

/** The thing is not in a state that allows this (already on, nothing pending, a limit reached): 409. */
export class ConflictError extends DomainError {
  readonly code: string = 'conflict';
  readonly status: number = 409;
}

/**
 * A request the service refuses as given (a wrong password or code, a spent token, an empty
 * list): 400, its message naming the field and the rule, never echoing the input.
 */
export class InvalidRequestError extends DomainError {
  readonly code: string = 'invalid_request';
  readonly status: number = 400;
}
