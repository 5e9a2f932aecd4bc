import {
  ConflictError,
  DomainError,
  InvalidRequestError,
  NotFoundError,
} from '../common/errors/domain-error.js';

export const NO_SETUP_PENDING = 'no two-factor set-up is pending: POST /user/mfa/totp first';
export const WRONG_CODE = 'the code is wrong, expired or already used';
export const INVALID_MFA_TOKEN = 'mfaToken is invalid or has expired: log in again';
export const MFA_TOKEN_EXHAUSTED = 'the code is wrong, and too many were for this mfaToken: log in again';
export const TOTP_LOCKED =
  'authentication codes are locked for this account after too many failed attempts: ' +
  'use a recovery code or a passkey, or ask an operator to reset two-factor authentication';

/** A TOTP or recovery code that proves nothing (wrong, expired, spent): 400. */
export class WrongSecondFactorError extends InvalidRequestError {
  override readonly code = 'wrong_second_factor';

  /** `exhausted`: the code was wrong and its mfaToken took its last failure. */
  constructor(readonly exhausted = false) {
    super(exhausted ? MFA_TOKEN_EXHAUSTED : WRONG_CODE);
  }
}

/** The mfaToken of the login's second step is unknown, expired or spent: 400. */
export class InvalidMfaTokenError extends InvalidRequestError {
  override readonly code = 'invalid_mfa_token';

  constructor() {
    super(INVALID_MFA_TOKEN);
  }
}

/** TOTP codes are refused unchecked after MFA_FAILURE_LIMIT failures; recovery codes still work: 403. */
export class TotpLockedError extends DomainError {
  readonly code = 'totp_locked';
  readonly status = 403;

  constructor() {
    super(TOTP_LOCKED);
  }
}

/** A set-up was asked for while a second factor is on: 409. */
export class MfaAlreadyOnError extends ConflictError {
  override readonly code = 'mfa_already_on';

  constructor() {
    super('two-factor authentication is already on: turn it off first');
  }
}

/** A confirmation with no live set-up to confirm: 409. */
export class NoSetupPendingError extends ConflictError {
  override readonly code = 'no_setup_pending';

  constructor() {
    super(NO_SETUP_PENDING);
  }
}

/** Turning off a second factor that is not on: 404. */
export class MfaNotOnError extends NotFoundError {
  override readonly code = 'mfa_not_on';

  constructor() {
    super('two-factor authentication is not on');
  }
}
