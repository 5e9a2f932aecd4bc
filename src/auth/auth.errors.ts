import { DomainError, InvalidRequestError } from '../common/errors/domain-error.js';
import type { CarriesResponseHeaders } from '../common/response-headers.js';
import { invalidTokenChallenge } from './bearer-challenge.exception.js';

/** One message for every failed login, so the answer never tells which part was wrong. */
export const INVALID_CREDENTIALS = 'invalid name or password';

/** A login whose name and password do not open an account: 400 (the tutorial's contract, not 401). */
export class InvalidCredentialsError extends InvalidRequestError {
  override readonly code = 'invalid_credentials';

  constructor() {
    super(INVALID_CREDENTIALS);
  }
}

/**
 * A refresh token that opens no session (unknown, ended, expired, replayed, its user gone): a 401
 * with the RFC 6750 challenge the guard's refusals carry, written as `WWW-Authenticate`.
 */
export class RefreshTokenRefusedError extends DomainError implements CarriesResponseHeaders {
  readonly code = 'refresh_token_refused';
  readonly status = 401;
  readonly responseHeaders: Readonly<Record<string, string>>;

  constructor() {
    const { description, challenge } = invalidTokenChallenge('invalid', 'refresh');
    super(description);
    this.responseHeaders = { 'WWW-Authenticate': challenge };
  }
}
