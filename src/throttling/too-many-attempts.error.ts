import { DomainError } from '../common/errors/domain-error.js';
import type { CarriesResponseHeaders } from '../common/response-headers.js';

/**
 * Held back (an account name after failed checks) or over a rate (an address): a 429 that
 * carries its wait, which the exception filter writes as `Retry-After`.
 */
export class TooManyAttemptsError extends DomainError implements CarriesResponseHeaders {
  readonly code = 'too_many_attempts';
  readonly status = 429;
  readonly responseHeaders: Readonly<Record<string, string>>;

  constructor(readonly retryAfterSeconds: number) {
    super(`too many attempts: retry in ${retryAfterSeconds} seconds`);
    this.responseHeaders = { 'Retry-After': String(retryAfterSeconds) };
  }
}
