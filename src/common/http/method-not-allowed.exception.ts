import { HttpException, HttpStatus } from '@nestjs/common';
import type { CarriesResponseHeaders } from '../response-headers.js';

/** A 405 that carries the `Allow` header RFC 9110 §15.5.6 requires: the methods the path has. */
export class MethodNotAllowedError extends HttpException implements CarriesResponseHeaders {
  readonly responseHeaders: Readonly<Record<string, string>>;

  constructor(allowed: readonly string[]) {
    super(`method must be one of ${allowed.join(', ')}`, HttpStatus.METHOD_NOT_ALLOWED);
    this.responseHeaders = { Allow: allowed.join(', ') };
  }
}
