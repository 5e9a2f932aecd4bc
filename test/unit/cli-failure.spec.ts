import { describe, expect, it } from '@jest/globals';
import { ExitCode } from '../../src/cli/cli-error.js';
import { describeFailure } from '../../src/cli/cli-failure.js';
import { NameTakenError } from '../../src/users/name-taken.error.js';
import {
  InviteNeedsMailError,
  LastAdminError,
  LAST_ADMIN_MESSAGE,
  UserNotFoundError,
} from '../../src/users/users.errors.js';

describe('describeFailure', () => {
  it.each([
    [new LastAdminError(), LAST_ADMIN_MESSAGE, ExitCode.Refused],
    [new NameTakenError(), 'name is already taken', ExitCode.NameTaken],
    [new UserNotFoundError(), 'user not found', ExitCode.Failure],
    [
      new InviteNeedsMailError(),
      'password is required: mail is off, so no invite can be sent to email',
      ExitCode.InvalidInput,
    ],
  ])('should map the domain error %p to its message and exit code', (error, message, code) => {
    expect(describeFailure(error)).toEqual({ message, code });
  });
});
