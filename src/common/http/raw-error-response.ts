import { errorBody } from '../error-body.js';

/** Response headers as `[name, value]` pairs, in the order they are written. */
export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * The bytes of a whole error answer, for a request that Node's HTTP parser refused before Fastify
 * or Nest saw it, so that nothing but these bytes reaches the socket. It has the API's body and
 * `Cache-Control: no-store` like every error, `headers` (the security headers and the request id)
 * like every answer, and `Connection: close`: the socket closes right after, and a keep-alive
 * client that sent its next request on it would get a reset instead of an answer.
 */
export function rawErrorResponse(
  statusCode: number,
  message: string,
  headers: HeaderList,
  now: Date = new Date(),
): string {
  const body = errorBody(statusCode, message);
  const json = JSON.stringify(body);
  const lines = [
    ...headers,
    ['Cache-Control', 'no-store'],
    ['Content-Type', 'application/json; charset=utf-8'],
    ['Content-Length', String(Buffer.byteLength(json))],
    ['Date', now.toUTCString()],
    ['Connection', 'close'],
  ].map(([name, value]) => {
    // Written past Node's own header checks: a line break would let a value add a header.
    if (/[\r\n]/.test(name + value)) {
      throw new Error(`header ${JSON.stringify(name)} must not contain a line break`);
    }
    return `${name}: ${value}\r\n`;
  });
  return `HTTP/1.1 ${statusCode} ${body.error}\r\n${lines.join('')}\r\n${json}`;
}
