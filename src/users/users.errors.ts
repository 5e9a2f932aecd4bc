import {
  ConflictError,
  DomainError,
  InvalidRequestError,
  NotFoundError,
} from '../common/errors/domain-error.js';

export const LAST_ADMIN_MESSAGE =
  'the last enabled admin cannot be demoted, disabled or deleted: make another user an admin first';

/** No account has this id (the admin API's 404; the CLI looks names up itself first). */
export class UserNotFoundError extends NotFoundError {
  override readonly code = 'user_not_found';

  constructor() {
    super('user not found');
  }
}

/** The change would leave no enabled admin: 409 over HTTP, exit code 6 at the CLI. */
export class LastAdminError extends ConflictError {
  override readonly code = 'last_admin';

  constructor() {
    super(LAST_ADMIN_MESSAGE);
  }
}

/**
 * A signed-in user's password did not prove them (a password change, a step-up): 400 naming the
 * field that carried it. A held-back name is TooManyAttemptsError instead.
 */
export class WrongPasswordError extends InvalidRequestError {
  override readonly code = 'wrong_password';

  constructor(readonly field: string) {
    super(`${field} is wrong`);
  }
}

/** SIGNUP_REQUIRE_EMAIL=true and a sign-up gave no address: 400. */
export class EmailRequiredError extends InvalidRequestError {
  override readonly code = 'email_required';

  constructor() {
    super('email is required');
  }
}

/** Another account has already verified this address: 409. */
export class EmailTakenError extends ConflictError {
  override readonly code = 'email_taken';

  constructor() {
    super('email is already verified by another account');
  }
}

/** A mailed link's token that is unknown, used, expired or for another purpose: one answer. */
export class InvalidLinkTokenError extends InvalidRequestError {
  override readonly code = 'invalid_token';

  constructor() {
    super('token is invalid or expired');
  }
}

/** EMAIL_VERIFICATION_REQUIRED and the account's address is not verified yet: 403 at login. */
export class EmailNotVerifiedError extends DomainError {
  readonly code = 'email_not_verified';
  readonly status = 403;

  constructor() {
    super(
      'email address not verified: open the link mailed to it, or ask for a new one with POST /email/verify/resend',
    );
  }
}

/** An invite (an address and no password) while mail is off: nothing could reach the address. */
export class InviteNeedsMailError extends InvalidRequestError {
  override readonly code = 'invite_needs_mail';

  constructor() {
    super('password is required: mail is off, so no invite can be sent to email');
  }
}
