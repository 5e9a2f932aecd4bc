import type { FastifyReply } from 'fastify';
import type { TokenPair } from './auth.service.js';
import type { TokenDeliveryQueryDto } from './dto/token-delivery-query.dto.js';
import { setRefreshCookie } from './refresh-cookie.js';
import type { TokenResponse } from './token-response.js';

/**
 * Sends a pair as every login and refresh does: the refresh cookie, and the body (without the
 * refresh token with `?refreshToken=cookie`). With AuthService.issueForVerifiedUser, the one
 * path a login's answer takes, whatever proved the user.
 */
export function respondWithTokens(
  reply: FastifyReply,
  { sessionExpiresAt, ...pair }: TokenPair,
  delivery: TokenDeliveryQueryDto,
  secureCookie: boolean,
): TokenResponse {
  setRefreshCookie(reply, pair.refreshToken, sessionExpiresAt, secureCookie);
  if (delivery.refreshToken === 'cookie') {
    const { refreshToken: _inCookieOnly, ...rest } = pair;
    return rest;
  }
  return pair;
}
