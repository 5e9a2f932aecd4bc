import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  type ArgumentsHost,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { RefreshTokenRefusedError } from '../../src/auth/auth.errors.js';
import { BearerChallengeException } from '../../src/auth/bearer-challenge.exception.js';
import { DomainError } from '../../src/common/errors/domain-error.js';
import { HttpErrorFilter } from '../../src/common/filters/http-error.filter.js';
import { BODY_LIMIT_BYTES } from '../../src/common/http-limits.js';
import { NoSignerError } from '../../src/keys/no-signer.error.js';
import { TooManyAttemptsError } from '../../src/throttling/too-many-attempts.error.js';
import { NameTakenError } from '../../src/users/name-taken.error.js';
import { LastAdminError, LAST_ADMIN_MESSAGE, UserNotFoundError } from '../../src/users/users.errors.js';

/** A FastifyReply that records what the filter set. */
function fakeReply() {
  const reply = {
    headers: {} as Record<string, string>,
    statusCode: 200,
    body: undefined as unknown,
    status: jest.fn((code: number) => {
      reply.statusCode = code;
      return reply;
    }),
    header: jest.fn((name: string, value: string) => {
      reply.headers[name.toLowerCase()] = value;
      return reply;
    }),
    send: jest.fn((body: unknown) => {
      reply.body = body;
      return reply;
    }),
  };
  return reply;
}

describe(HttpErrorFilter.name, () => {
  let filter: HttpErrorFilter;
  let reply: ReturnType<typeof fakeReply>;
  let host: ArgumentsHost;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({ providers: [HttpErrorFilter] }).compile();
    filter = moduleRef.get(HttpErrorFilter);
    reply = fakeReply();
    host = {
      switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ id: 'request-1' }) }),
    } as unknown as ArgumentsHost;
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('should shape an HttpException as {statusCode, error, message}', () => {
    filter.catch(new ForbiddenException('name must be at most 64 characters'), host);
    expect(reply.statusCode).toBe(403);
    expect(reply.body).toStrictEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'name must be at most 64 characters',
    });
    expect(reply.send).toHaveBeenCalledTimes(1);
  });

  it('should use the message of an HttpException built from a string response', () => {
    filter.catch(new HttpException('slow down', HttpStatus.TOO_MANY_REQUESTS), host);
    expect(reply.body).toStrictEqual({ statusCode: 429, error: 'Too Many Requests', message: 'slow down' });
  });

  it('should join a list of validation messages into one', () => {
    filter.catch(new BadRequestException(['name is required', 'password is required']), host);
    expect(reply.body).toStrictEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'name is required; password is required',
    });
  });

  it('should answer a plain Error with a bare 500 and log it', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    filter.catch(new Error('SQLITE_BUSY: /var/lib/auth/auth.sqlite is locked'), host);
    expect(reply.statusCode).toBe(500);
    expect(reply.body).toStrictEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal server error',
    });
    expect(JSON.stringify(reply.body)).not.toContain('SQLITE');
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0][0]).toMatchObject({
      req: { id: 'request-1' },
      err: { message: expect.stringContaining('SQLITE_BUSY') },
    });
  });

  describe('when the client went away mid-request', () => {
    const aborted = () => Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const withSocket = (destroyed: boolean) =>
      ({
        switchToHttp: () => ({
          getResponse: () => reply,
          getRequest: () => ({ id: 'request-1', raw: { socket: { destroyed } } }),
        }),
      }) as unknown as ArgumentsHost;

    it('should log at debug, without the error or its stack, and answer nobody', () => {
      const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      const debug = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
      filter.catch(aborted(), withSocket(true));
      expect(errors).not.toHaveBeenCalled();
      expect(debug).toHaveBeenCalledWith({
        req: { id: 'request-1' },
        reason: 'ECONNRESET',
        msg: 'client went away mid-request',
      });
      expect(reply.send).not.toHaveBeenCalled();
    });

    it("should take a reset with the client connected (a backend's) for an outage: logged, 503", () => {
      const warnings = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      filter.catch(aborted(), withSocket(false));
      expect(warnings).toHaveBeenCalledTimes(1);
      expect(reply.statusCode).toBe(503);
    });
  });

  it('should answer a thrown non-Error with a bare 500', () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    filter.catch('boom', host);
    expect(reply.body).toStrictEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal server error',
    });
  });

  it.each([
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'request body must be valid JSON'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'request body must not be empty'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'Content-Type must be application/json'],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, `request body must be at most ${BODY_LIMIT_BYTES} bytes`],
    ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'Content-Length must match the body'],
  ])('should word the wrapped Fastify error %s in our terms', (code, status, message) => {
    const parserText = `Unexpected token } in JSON at position 12 (${code})`;
    filter.catch(new HttpException(parserText, status, { cause: { code } }), host);
    expect(reply.statusCode).toBe(status);
    expect(reply.body).toMatchObject({ statusCode: status, message });
    expect(JSON.stringify(reply.body)).not.toContain('Unexpected token');
  });

  it('should fall back to the status text for an unknown Fastify error code', () => {
    filter.catch(
      new PayloadTooLargeException('parser says no', { cause: { code: 'FST_ERR_SOMETHING_NEW' } }),
      host,
    );
    expect(reply.body).toStrictEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'Payload Too Large',
    });
  });

  it("should not echo the path of Nest's router 404", () => {
    filter.catch(new NotFoundException('Cannot GET /x/secret-path?token=abc'), host);
    expect(reply.statusCode).toBe(404);
    expect(reply.body).toStrictEqual({ statusCode: 404, error: 'Not Found', message: 'no such resource' });
  });

  it('should set WWW-Authenticate from a BearerChallengeException', () => {
    filter.catch(BearerChallengeException.invalid('expired'), host);
    expect(reply.statusCode).toBe(401);
    expect(reply.headers['www-authenticate']).toBe(
      'Bearer error="invalid_token", error_description="The access token expired"',
    );
    expect(reply.body).toStrictEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'The access token expired',
    });
  });

  it('should send a bare Bearer challenge when credentials are missing', () => {
    filter.catch(BearerChallengeException.missing(), host);
    expect(reply.headers['www-authenticate']).toBe('Bearer');
    expect(reply.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  it('should not set WWW-Authenticate for other errors', () => {
    filter.catch(new BadRequestException('invalid name or password'), host);
    expect(reply.headers).not.toHaveProperty('www-authenticate');
  });

  it.each([
    ['a client error', () => new BadRequestException('name is required')],
    ['a challenge', () => BearerChallengeException.missing()],
    ['a server error', () => new Error('db down')],
  ])('should always set Cache-Control: no-store, for %s', (_case, exception) => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    filter.catch(exception(), host);
    expect(reply.headers['cache-control']).toBe('no-store');
  });

  describe('domain errors', () => {
    it.each([
      [new UserNotFoundError(), 404, 'Not Found', 'user not found'],
      [new NameTakenError('look-alike'), 409, 'Conflict', 'name looks too much like a taken name'],
      [new LastAdminError(), 409, 'Conflict', LAST_ADMIN_MESSAGE],
    ])('should answer %p with its status and message', (error, status, reason, message) => {
      filter.catch(error, host);
      expect(reply.statusCode).toBe(status);
      expect(reply.body).toStrictEqual({ statusCode: status, error: reason, message });
      expect(reply.headers['cache-control']).toBe('no-store');
    });

    it("should write a domain error's headers: a 429's Retry-After, a refused refresh token's challenge", () => {
      filter.catch(new TooManyAttemptsError(7), host);
      expect(reply.statusCode).toBe(429);
      expect(reply.headers['retry-after']).toBe('7');
      expect(reply.body).toStrictEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: 'too many attempts: retry in 7 seconds',
      });
      reply = fakeReply();
      filter.catch(new RefreshTokenRefusedError(), host);
      expect(reply.statusCode).toBe(401);
      expect(reply.headers['www-authenticate']).toBe(
        'Bearer error="invalid_token", error_description="The refresh token is invalid"',
      );
      expect(reply.body).toMatchObject({ message: 'The refresh token is invalid' });
    });

    it('should send the reason phrase for a domain error whose message is not for the client', () => {
      class Hidden extends DomainError {
        readonly code = 'hidden';
        readonly status = 403;
        override readonly expose = false;
      }
      filter.catch(new Hidden('internal detail'), host);
      expect(reply.body).toStrictEqual({ statusCode: 403, error: 'Forbidden', message: 'Forbidden' });
    });

    it('should answer a 5xx domain error like any other: logged, and no message', () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      filter.catch(new NoSignerError(), host);
      expect(reply.statusCode).toBe(503);
      expect(reply.body).toStrictEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'internal server error',
      });
      expect(logged).toHaveBeenCalledTimes(1);
    });
  });
});
