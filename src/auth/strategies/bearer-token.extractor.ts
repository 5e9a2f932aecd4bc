import type { FastifyRequest } from 'fastify';

/**
 * The one reading of the Bearer scheme. It matches any header that names the scheme (`Bearer`,
 * any case, then whitespace or the end), and captures a token only for RFC 6750 §2.1's form:
 * one or more spaces, one b64token, nothing after. passport-jwt's own extractor is unanchored
 * and would take "Bearer a junk" as token "a".
 */
const BEARER = /^Bearer(?: +([A-Za-z0-9\-._~+/]+=*)$|\s|$)/i;

/**
 * The shape of every token this service issues: three base64url segments, header and payload
 * both JSON objects (`{"` encodes to `eyJ`), a few hundred characters long. Checked before any
 * decoding, it refuses for free what jsonwebtoken would otherwise parse: a `null` or array
 * payload (which makes jsonwebtoken 9 throw a TypeError), kilobytes of padded claims, JWE.
 */
const ISSUED_SHAPE = /^eyJ[\w-]*\.eyJ[\w-]*\.[\w-]+$/;
export const MAX_TOKEN_LENGTH = 2048;

/**
 * Whether an Authorization header names the Bearer scheme at all, whatever follows: a header
 * that does not (none, Basic, ...) carries no bearer credentials, and RFC 6750 §3.1's challenge
 * then has no error code.
 */
export const namesBearerScheme = (header: string): boolean => BEARER.test(header);

/**
 * The token from the one Authorization header, or null. Node.js keeps only the first of
 * repeated Authorization headers, so repeats are found in rawHeaders and refused: a proxy and
 * this service must never disagree on which credential was sent. Query strings, cookies and
 * bodies are never read.
 */
export function extractBearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) {
    return null;
  }
  const raw = request.raw.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 13 && raw[i].toLowerCase() === 'authorization' && ++seen > 1) {
      return null;
    }
  }
  const token = BEARER.exec(header)?.[1];
  return token !== undefined && token.length <= MAX_TOKEN_LENGTH && ISSUED_SHAPE.test(token) ? token : null;
}
