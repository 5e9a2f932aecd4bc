/** The CLI's exit codes; the usage text lists them for operators' scripts. */
export const ExitCode = {
  Ok: 0,
  Usage: 1,
  UserNotFound: 2,
  /** `npm run keys -- revoke KID` with a KID that names no key. */
  KeyNotFound: 2,
  NameTaken: 3,
  InvalidInput: 4,
  Failure: 5,
  /** The last-admin rule: the change would leave no enabled admin. */
  Refused: 6,
  /** Ctrl-C at the password prompt: the shell's convention for SIGINT. */
  Interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure reported as one line on stderr (plus the usage text for usage errors) and an exit code. */
export class CliError extends Error {
  override name = 'CliError';

  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
