import { HttpException, HttpStatus } from '@nestjs/common';

/** A 429 that carries its wait; the exception filter copies it into `Retry-After`. */
export class TooManyRequestsException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many attempts: retry in ${retryAfterSeconds} seconds`, HttpStatus.TOO_MANY_REQUESTS);
  }
}
