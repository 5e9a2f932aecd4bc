import { HttpException, HttpStatus } from '@nestjs/common';
import type { CarriesResponseHeaders } from '../common/response-headers.js';

/** A 429 that carries its wait, which the exception filter writes as `Retry-After`. */
export class TooManyRequestsException extends HttpException implements CarriesResponseHeaders {
  readonly responseHeaders: Readonly<Record<string, string>>;

  constructor(readonly retryAfterSeconds: number) {
    super(`too many attempts: retry in ${retryAfterSeconds} seconds`, HttpStatus.TOO_MANY_REQUESTS);
    this.responseHeaders = { 'Retry-After': String(retryAfterSeconds) };
  }
}
