import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { HEAD_LIMIT_BYTES } from '../http-limits.js';
import { requestIdOf } from '../request-context/request-id.js';
import { rawErrorResponse, type HeaderList } from './raw-error-response.js';

/**
 * Codes of a client that went away: nobody is left to answer, and it is not our error.
 * HPE_INVALID_EOF_STATE is a connection closed in the middle of a request's head.
 */
const DISCONNECTS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'HPE_INVALID_EOF_STATE']);

export interface ParserRefusalOptions {
  /** The headers every answer carries (the security headers), from the one source normal answers use. */
  headers: HeaderList;
  /** HTTP_REQUEST_TIMEOUT, named in the 408's message. */
  requestTimeoutSeconds: number;
}

/** What the `clientError` handler answers for a parser error code. */
export function parserRefusal(
  code: string | undefined,
  requestTimeoutSeconds: number,
): { statusCode: number; message: string } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { statusCode: 408, message: `request must arrive within ${requestTimeoutSeconds} seconds` };
    case 'HPE_HEADER_OVERFLOW':
      return { statusCode: 431, message: `request headers must be at most ${HEAD_LIMIT_BYTES} bytes` };
    default:
      return { statusCode: 400, message: 'request must be well-formed HTTP/1.1' };
  }
}

/**
 * The handler of the HTTP server's `clientError` event (Fastify's `clientErrorHandler`): Node's
 * parser refused a request (malformed, a head over the limit, HTTP_REQUEST_TIMEOUT passed) or the
 * client went away. Replaces Fastify's default, whose answer has none of the headers of our other
 * answers and no `Connection: close`. One log line each, without a stack: the error is the client's.
 */
export function parserRefusalHandler({
  headers,
  requestTimeoutSeconds,
}: ParserRefusalOptions): (error: Error & { code?: string }, socket: Socket) => void {
  const logger = new Logger('HttpParser');
  return (error, socket) => {
    const req = { id: requestIdOf(), remoteAddress: socket.remoteAddress };
    if (DISCONNECTS.has(error.code ?? '') || socket.destroyed) {
      logger.debug({ req, reason: error.code ?? error.message, msg: 'client went away mid-request' });
      socket.destroy();
      return;
    }
    const { statusCode, message } = parserRefusal(error.code, requestTimeoutSeconds);
    logger.log({ req, res: { statusCode }, reason: error.code, msg: 'request refused by the HTTP parser' });
    // As Node's own default: no answer once the answer to an earlier request on the socket began.
    const answering = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (socket.writable && answering?.headersSent !== true) {
      socket.write(rawErrorResponse(statusCode, message, [...headers, ['X-Request-Id', req.id]]));
    }
    socket.destroy();
  };
}
