import { UnauthorizedException } from '@nestjs/common';
import type { CarriesResponseHeaders } from '../common/response-headers.js';

/**
 * A 401 that carries its RFC 6750 §3 challenge, which the exception filter writes as
 * `WWW-Authenticate`. Descriptions are ours, never a library's error text.
 */
export class BearerChallengeException extends UnauthorizedException implements CarriesResponseHeaders {
  readonly responseHeaders: Readonly<Record<string, string>>;

  private constructor(
    message: string,
    readonly challenge: string,
  ) {
    super(message);
    this.responseHeaders = { 'WWW-Authenticate': challenge };
  }

  /** No credentials at all: the challenge names no error (RFC 6750 §3.1). */
  static missing(token: 'access' | 'refresh' = 'access'): BearerChallengeException {
    return new BearerChallengeException(
      token === 'access'
        ? 'authentication required: send Authorization: Bearer <token>'
        : 'a refresh token is required (refreshToken in the body, or the refresh_token cookie)',
      'Bearer',
    );
  }

  static invalid(
    reason: 'expired' | 'invalid',
    token: 'access' | 'refresh' = 'access',
  ): BearerChallengeException {
    const { description, challenge } = invalidTokenChallenge(reason, token);
    return new BearerChallengeException(description, challenge);
  }
}

/** The message and `WWW-Authenticate` value for a token refused (RFC 6750 §3.1 invalid_token). */
export function invalidTokenChallenge(
  reason: 'expired' | 'invalid',
  token: 'access' | 'refresh',
): { description: string; challenge: string } {
  const description = reason === 'expired' ? `The ${token} token expired` : `The ${token} token is invalid`;
  return { description, challenge: `Bearer error="invalid_token", error_description="${description}"` };
}
