import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorBody } from '../common/error-body.js';
import { BODY_LIMIT_BYTES } from '../common/http-limits.js';

/** The error statuses the routes answer on purpose (a 500 is never part of a contract). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429;

/** The header on every answer that holds a token, a user, or an error. */
export const NO_STORE = { 'Cache-Control': { schema: { type: 'string', enum: ['no-store'] } } };

/** Headers that HttpErrorFilter adds to some errors, besides `Cache-Control: no-store` on all. */
const ERROR_HEADERS: Partial<Record<ErrorStatus, Record<string, { description: string; schema: object }>>> = {
  401: {
    'WWW-Authenticate': {
      description:
        'The RFC 6750 challenge: `Bearer` when no token was sent, otherwise ' +
        '`Bearer error="invalid_token", error_description="The access token expired"` (or "is invalid").',
      schema: { type: 'string' },
    },
  },
  429: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } },
};

/**
 * Documents a route's error answers, one description per status saying when it is sent. Every
 * one carries the same `{statusCode, error, message}` body and `Cache-Control: no-store`.
 */
export const ApiErrorResponses = (errors: Partial<Record<ErrorStatus, string>>) =>
  applyDecorators(
    ...Object.entries(errors).map(([code, description]) => {
      const status = Number(code) as ErrorStatus;
      return ApiResponse({
        status,
        description,
        type: ErrorBody,
        headers: { ...NO_STORE, ...ERROR_HEADERS[status] },
      });
    }),
  );

/** What any route reading a JSON body may answer besides its own errors. */
export const JSON_BODY_ERRORS = {
  413: `The body is over ${BODY_LIMIT_BYTES} bytes.`,
  415: 'The body is not JSON: `Content-Type` must be `application/json`.',
} as const;

/** What a route that takes no body (NoBodyGuard) answers to one, besides its 400. */
export const NO_BODY_ERRORS = {
  413: `A body over ${BODY_LIMIT_BYTES} bytes (this route takes none).`,
  415: 'A body that is not JSON (this route takes none, or `{}`).',
} as const;

/** What every route behind the global JwtAuthGuard answers without a valid access token. */
export const ACCESS_TOKEN_ERRORS = {
  401: 'No access token, or one that is expired, forged, malformed or of an ended session.',
} as const;

/** What every route marked @Roles() answers to a valid token of an account without the role. */
export const ROLE_ERRORS = {
  403: "The caller's account does not have the admin role (checked on every request, not from the token).",
} as const;
