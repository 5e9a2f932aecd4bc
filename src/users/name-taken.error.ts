/**
 * The name (compared case-insensitively) belongs to another account. A domain error: the HTTP
 * edge answers it with 409, the CLI with its exit code.
 */
export class NameTakenError extends Error {
  override name = 'NameTakenError';

  constructor() {
    super('name is already taken');
  }
}
