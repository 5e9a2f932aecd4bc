import type { FastifyReply } from 'fastify';

export const REFRESH_COOKIE = 'refresh_token';
/** The only route that reads the cookie, so the browser sends it nowhere else. */
export const REFRESH_COOKIE_PATH = '/refresh';

/** HttpOnly: page scripts never see it. SameSite=Strict: no other site can make the browser send it. */
export function setRefreshCookie(reply: FastifyReply, token: string, expires: Date, secure: boolean): void {
  void reply.setCookie(REFRESH_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: REFRESH_COOKIE_PATH,
    expires,
  });
}

export function clearRefreshCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(REFRESH_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: REFRESH_COOKIE_PATH,
  });
}
