import {
  ConflictError,
  DomainError,
  InvalidRequestError,
  NotFoundError,
} from '../common/errors/domain-error.js';
import { PASSKEYS_PER_USER } from './passkey-limits.js';

export const INVALID_CHALLENGE = 'challengeId is invalid, expired or already used: ask for new options';
/** One answer for every refused passkey sign-in, so it never tells which part was wrong. */
export const PASSKEY_REFUSED = 'the passkey was not accepted';

/** The account has PASSKEYS_PER_USER passkeys already: 409. */
export class PasskeyLimitError extends ConflictError {
  override readonly code = 'passkey_limit';

  constructor() {
    super(`an account may have at most ${PASSKEYS_PER_USER} passkeys`);
  }
}

/** No passkey of the caller's has this id: 404. */
export class PasskeyNotFoundError extends NotFoundError {
  override readonly code = 'passkey_not_found';

  constructor() {
    super('no such passkey');
  }
}

/** The challengeId is unknown, expired, spent, or of another ceremony or user: 400. */
export class InvalidPasskeyChallengeError extends InvalidRequestError {
  override readonly code = 'invalid_passkey_challenge';

  constructor() {
    super(INVALID_CHALLENGE);
  }
}

/** A registration answer that does not verify: 400, saying why in our words. */
export class PasskeyRegistrationRefusedError extends InvalidRequestError {
  override readonly code = 'passkey_registration_refused';
}

/** A sign-in with a passkey that does not verify: 401, one message whatever the reason. */
export class PasskeyRefusedError extends DomainError {
  readonly code = 'passkey_refused';
  readonly status = 401;

  constructor() {
    super(PASSKEY_REFUSED);
  }
}
