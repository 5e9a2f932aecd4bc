import { describe, expect, it } from '@jest/globals';
import { BadRequestException } from '@nestjs/common';
import { BearerChallengeException } from '../../src/auth/bearer-challenge.exception.js';
import { carriesResponseHeaders } from '../../src/common/response-headers.js';
import { TooManyAttemptsError } from '../../src/throttling/too-many-attempts.error.js';

describe('carriesResponseHeaders', () => {
  it('should recognise the exceptions that need headers, with their headers', () => {
    const challenge = BearerChallengeException.invalid('expired');
    expect(carriesResponseHeaders(challenge) && challenge.responseHeaders).toEqual({
      'WWW-Authenticate': 'Bearer error="invalid_token", error_description="The access token expired"',
    });
    const throttled = new TooManyAttemptsError(7);
    expect(carriesResponseHeaders(throttled) && throttled.responseHeaders).toEqual({ 'Retry-After': '7' });
  });

  it.each([[new BadRequestException('no')], [new Error('fault')], [null], [undefined], ['text'], [{}]])(
    'should not take %p for one',
    (value) => expect(carriesResponseHeaders(value)).toBe(false),
  );
});
