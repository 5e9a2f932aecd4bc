import { NAME_MAX_LENGTH } from '../common/validation/limits.js';
import { isObject } from '../common/validation/is-object.js';
import { charLength } from '../common/validation/text.js';
import { InvalidTokenError } from './invalid-token.error.js';

/** The claims of an access token this service issues; verification accepts nothing else. */
export interface AccessTokenClaims {
  sub: string;
  id: number;
  name: string;
  iat: number;
  exp: number;
  jti: string;
  /** The session this token was issued for; refused once the session ends. */
  sid: string;
  iss: string;
  aud: string;
}

export interface AccessTokenPolicy {
  /** The configured lifetime in seconds: no token may claim a longer one. */
  ttl: number;
  /** Seconds of clock skew tolerated for `iat` (jsonwebtoken applies the same to `exp`). */
  clockTolerance: number;
}

/** The only header this service writes: anything more (jku, jwk, x5u, x5c, crit...) is refused. */
const HEADER_PARAMETERS = new Set(['alg', 'typ', 'kid']);
/** What a key may be for; which one a token may use is its key's (JwtStrategy pins it). */
const ALGORITHMS = new Set(['ES256', 'RS256', 'HS256']);
/** A kid is an RFC 7638 thumbprint (43 characters) or the HS256 key's name. */
const KID = /^[A-Za-z0-9_-]{1,64}$/;
const CLAIMS = new Set<string>(['sub', 'id', 'name', 'iat', 'exp', 'jti', 'sid', 'iss', 'aud']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const isTimestamp = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

/**
 * Checks what jsonwebtoken leaves to the caller once it has checked the signature, the
 * algorithm, `exp`, `iss` and `aud`: the header, the claim types, and a lifetime and issue
 * time this service could have produced. `decoded` is jsonwebtoken's `complete` result.
 * Throws InvalidTokenError naming the rule that failed.
 */
export function checkAccessToken(
  decoded: unknown,
  policy: AccessTokenPolicy,
  now = Math.floor(Date.now() / 1000),
): AccessTokenClaims {
  if (!isObject(decoded) || !isObject(decoded.header)) {
    throw new InvalidTokenError('token is not a JWS');
  }
  const { header, payload } = decoded;
  for (const parameter of Object.keys(header)) {
    if (!HEADER_PARAMETERS.has(parameter)) {
      throw new InvalidTokenError(`header parameter ${parameter} is not accepted`);
    }
  }
  if (typeof header.alg !== 'string' || !ALGORITHMS.has(header.alg) || header.typ !== 'JWT') {
    throw new InvalidTokenError('header must be {"alg":"ES256"|"RS256"|"HS256","typ":"JWT","kid":...}');
  }
  // No kid only in an HS256 token of before tokens named their key (JwtStrategy decides).
  if (header.kid !== undefined && (typeof header.kid !== 'string' || !KID.test(header.kid))) {
    throw new InvalidTokenError('kid must name a key');
  }
  if (!isObject(payload)) {
    throw new InvalidTokenError('payload must be a JSON object');
  }
  for (const claim of Object.keys(payload)) {
    if (!CLAIMS.has(claim)) {
      throw new InvalidTokenError(`claim ${claim} is not accepted`);
    }
  }
  const { sub, id, name, iat, exp, jti, sid, iss, aud } = payload;
  if (!Number.isSafeInteger(id) || (id as number) < 1) {
    throw new InvalidTokenError('id must be a positive integer');
  }
  if (sub !== String(id)) {
    throw new InvalidTokenError('sub must be the id as a string');
  }
  if (
    typeof name !== 'string' ||
    typeof jti !== 'string' ||
    typeof iss !== 'string' ||
    typeof aud !== 'string'
  ) {
    throw new InvalidTokenError('name, jti, iss and aud must be strings');
  }
  if (charLength(name) > NAME_MAX_LENGTH || charLength(jti) > NAME_MAX_LENGTH) {
    throw new InvalidTokenError(`name and jti must be at most ${NAME_MAX_LENGTH} characters`);
  }
  if (typeof sid !== 'string' || !UUID.test(sid)) {
    throw new InvalidTokenError('sid must be a session id');
  }
  if (!isTimestamp(iat) || !isTimestamp(exp)) {
    throw new InvalidTokenError('iat and exp must be integer timestamps');
  }
  if (exp <= iat || exp - iat > policy.ttl) {
    throw new InvalidTokenError('exp - iat must be within the configured lifetime');
  }
  if (iat > now + policy.clockTolerance) {
    throw new InvalidTokenError('iat must not be in the future');
  }
  return { sub, id: id as number, name, iat, exp, jti, sid, iss, aud };
}
