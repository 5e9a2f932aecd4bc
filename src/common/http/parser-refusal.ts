import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { errorBody } from '../error-body.js';
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

/**
 * What the answer is to a request that Fastify's router refuses before any hook runs (its
 * `frameworkErrors`): a path it cannot decode ("/%"), a path parameter over its length limit,
 * a failing route constraint. Fastify's own answers quote the URL and name its error code.
 */
export function routerRefusal(code: string | undefined): { statusCode: number; message: string } {
  switch (code) {
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { statusCode: 414, message: 'request URL path segments must be at most 100 characters' };
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return { statusCode: 500, message: 'internal server error' };
    default:
      return { statusCode: 400, message: 'request URL is malformed' };
  }
}

/**
 * The handler of the HTTP server's `connect` event. Without one, Node closes the socket of a
 * CONNECT request without a word; this service is no proxy and has no tunnel to any resource, so
 * the answer is 501 (RFC 9110 §15.6.2: a method the server supports for no resource), with the
 * headers of every other answer.
 */
export function connectRefusalHandler({
  headers,
}: Pick<ParserRefusalOptions, 'headers'>): (request: IncomingMessage, socket: Socket) => void {
  const logger = new Logger('HttpParser');
  return (request, socket) => {
    const req = { id: requestIdOf(request.headers['x-request-id']), remoteAddress: socket.remoteAddress };
    logger.log({
      req,
      res: { statusCode: 501 },
      reason: 'CONNECT',
      msg: 'request refused by the HTTP parser',
    });
    socket.on('error', () => undefined);
    if (socket.writable) {
      socket.write(
        rawErrorResponse(501, 'method CONNECT is not supported', [...headers, ['X-Request-Id', req.id]]),
      );
    }
    socket.destroy();
  };
}

/**
 * The handler of the HTTP server's `checkExpectation` event: a request with an `Expect` other
 * than 100-continue. Node's own answer is a bare 417 with no body and none of our headers.
 */
export function expectationRefusalHandler({
  headers,
}: Pick<ParserRefusalOptions, 'headers'>): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const json = JSON.stringify(errorBody(417, 'Expect header must be absent or 100-continue'));
    for (const [name, value] of headers) {
      response.setHeader(name, value);
    }
    response.setHeader('X-Request-Id', requestIdOf(request.headers['x-request-id']));
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', Buffer.byteLength(json));
    response.writeHead(417).end(json);
  };
}
