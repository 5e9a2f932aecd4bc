import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../errors/domain-error.js';
import { errorBody } from '../error-body.js';
import { BODY_LIMIT_BYTES } from '../http-limits.js';
import { isDependencyOutage } from '../dependency-outage.js';
import { carriesResponseHeaders } from '../response-headers.js';

/**
 * Fastify's errors for bodies it could not parse, said in our words: theirs quote the parser.
 * Nest hands them over wrapped in an HttpException whose `cause` is the FastifyError.
 */
const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Content-Type must be application/json',
  FST_ERR_CTP_BODY_TOO_LARGE: `request body must be at most ${BODY_LIMIT_BYTES} bytes`,
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request body must not be empty',
  FST_ERR_CTP_INVALID_JSON_BODY: 'request body must be valid JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length must match the body',
};

/**
 * Shapes every error as {statusCode, error, message}: never a stack, a file path or a
 * library's text. The one place a DomainError becomes HTTP: its status, its headers, and its
 * message when it may be shown. Unexpected errors are logged here and answered with a bare 500.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const status = statusOf(exception);
    if (status >= 500 && clientWentAway(exception, request)) {
      // Not our error, and nobody is left to answer.
      this.logger.debug({
        req: { id: request.id },
        reason: errorCode(exception),
        msg: 'client went away mid-request',
      });
      return;
    }
    if (status >= 500 && isDependencyOutage(exception)) {
      // The database is down or too slow: not a bug, and it passes. One line, no stack.
      this.logger.warn({
        req: { id: request.id },
        reason: describeOutage(exception),
        msg: 'a dependency is unavailable: answered 503',
      });
      void reply
        .status(503)
        .header('Cache-Control', 'no-store')
        .header('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS))
        .send(errorBody(503, 'the service is temporarily unavailable: retry shortly'));
      return;
    }
    if (status >= 500) {
      // The cause, under the id of the request's own line (request-log.ts).
      this.logger.error({
        req: { id: request.id },
        err: exception instanceof Error ? exception : String(exception),
      });
    }
    if (status < 500 && carriesResponseHeaders(exception)) {
      for (const [name, value] of Object.entries(exception.responseHeaders)) {
        void reply.header(name, value);
      }
    }
    const message =
      status >= 500
        ? 'internal server error'
        : exception instanceof DomainError
          ? domainMessage(exception)
          : clientMessage(exception as HttpException);
    void reply.status(status).header('Cache-Control', 'no-store').send(errorBody(status, message));
  }
}

/** What a client is told to wait after a 503 for an outage: about one reconnection attempt. */
const OUTAGE_RETRY_AFTER_SECONDS = 5;

/** The outage's code or first line, for the log: never a stack. */
function describeOutage(error: unknown): string {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return [code, message].filter((part) => typeof part === 'string').join(': ') || String(error);
}

/** What a request's stream fails with when its client disconnects while the body is being read. */
const DISCONNECTS = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

const errorCode = (error: unknown) => (error as { code?: unknown } | null | undefined)?.code;

/**
 * A client that closed its connection mid-request. Both the code and the closed socket: a
 * reset from the database or another backend has the same code and is our error.
 */
function clientWentAway(exception: unknown, request: FastifyRequest): boolean {
  const code = errorCode(exception);
  const raw = request.raw as FastifyRequest['raw'] | undefined;
  return typeof code === 'string' && DISCONNECTS.has(code) && raw?.socket?.destroyed === true;
}

function statusOf(exception: unknown): number {
  if (exception instanceof DomainError) {
    return exception.status;
  }
  return exception instanceof HttpException ? exception.getStatus() : 500;
}

function domainMessage(error: DomainError): string {
  return error.expose ? error.message : (STATUS_CODES[error.status] ?? 'request refused');
}

function clientMessage(exception: HttpException): string {
  const cause = exception.cause as { code?: unknown } | undefined;
  if (typeof cause?.code === 'string') {
    return FASTIFY_MESSAGES[cause.code] ?? STATUS_CODES[exception.getStatus()] ?? 'request refused';
  }
  // Nest's router answers unknown routes with "Cannot GET /path": framework text that echoes the URL.
  if (exception.getStatus() === 404 && exception.message.startsWith('Cannot ')) {
    return 'no such resource';
  }
  const response = exception.getResponse();
  if (typeof response === 'string') {
    return response;
  }
  const { message } = response as { message?: unknown };
  if (Array.isArray(message)) {
    return message.join('; ');
  }
  return typeof message === 'string' ? message : exception.message;
}
