import { ConflictError } from '../common/errors/domain-error.js';

/**
 * The name belongs to another account (compared case-insensitively), or looks like the name of
 * one (the same skeleton). A domain error: the HTTP edge answers it with 409, the CLI with its
 * exit code.
 */
export class NameTakenError extends ConflictError {
  override readonly code = 'name_taken';

  constructor(readonly reason: 'taken' | 'look-alike' = 'taken') {
    super(reason === 'taken' ? 'name is already taken' : 'name looks too much like a taken name');
  }
}
