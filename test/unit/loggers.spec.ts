import { describe, expect, it } from '@jest/globals';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { PinoLoggerService } from '../../src/logging/loggers.js';
import { QUIET_REQUEST_LOG, rememberClientAddress, requestLogHook } from '../../src/logging/request-log.js';

/** A pino logger writing into an array, one parsed line per entry. */
function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

describe('PinoLoggerService', () => {
  it("should take Nest's last string parameter as the context", () => {
    const { logger, lines } = capture();
    new PinoLoggerService(logger).log('Listening', 'Bootstrap');
    expect(lines).toEqual([expect.objectContaining({ level: 30, msg: 'Listening', context: 'Bootstrap' })]);
  });

  it('should merge an object message into the line', () => {
    const { logger, lines } = capture();
    new PinoLoggerService(logger).log({ event: 'login.succeeded', req: { id: 'r1' } }, 'Audit');
    expect(lines[0]).toMatchObject({ event: 'login.succeeded', req: { id: 'r1' }, context: 'Audit' });
  });

  it("should keep error()'s stack and serialize an Error", () => {
    const { logger, lines } = capture();
    const service = new PinoLoggerService(logger);
    service.error('boom', 'Error: boom\n    at x', 'ExceptionHandler');
    service.error(new Error('kaput'));
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'boom',
      stack: 'Error: boom\n    at x',
      context: 'ExceptionHandler',
    });
    expect(lines[1]).toMatchObject({ level: 50, msg: 'kaput', err: { type: 'Error', message: 'kaput' } });
  });

  it("should leave out the undefined stack and context Nest's Logger passes", () => {
    const { logger, lines } = capture();
    new PinoLoggerService(logger).error({ event: 'x' }, undefined, 'HttpError');
    expect(lines[0]).toMatchObject({ event: 'x', context: 'HttpError' });
    expect(lines[0]).not.toHaveProperty('params');
  });

  it('should write nothing below the level', () => {
    const { logger, lines } = capture('warn');
    const service = new PinoLoggerService(logger);
    service.log('quiet');
    service.debug('quieter');
    service.warn('loud');
    expect(lines.map((line) => line.msg)).toEqual(['loud']);
  });
});

describe('requestLogHook', () => {
  const answer = (statusCode: number, url = '/user?token=secret', config: object = {}, level = 'info') => {
    const { logger, lines } = capture(level);
    const request = {
      id: 'abc',
      method: 'GET',
      url,
      ip: '10.0.0.7',
      routeOptions: { config },
    } as unknown as FastifyRequest;
    const reply = { statusCode, elapsedTime: 1.23456 } as FastifyReply;
    let done = false;
    requestLogHook(logger).call(undefined as never, request, reply, () => (done = true));
    expect(done).toBe(true);
    return lines;
  };

  it('should write one line with id, method, path without the query, address, status and time', () => {
    expect(answer(200)).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'request completed',
        req: { id: 'abc', method: 'GET', path: '/user', remoteAddress: '10.0.0.7' },
        res: { statusCode: 200 },
        responseTime: 1.235,
      }),
    ]);
    expect(JSON.stringify(answer(200))).not.toContain('secret');
  });

  it('should log a 5xx as an error', () => {
    expect(answer(503, '/user')[0]).toMatchObject({ level: 50, req: { path: '/user' } });
  });

  it('should log a route marked QUIET_REQUEST_LOG at debug whatever its status, so not at info', () => {
    expect(answer(200, '/health/ready', QUIET_REQUEST_LOG)).toEqual([]);
    expect(answer(503, '/health/ready', QUIET_REQUEST_LOG)).toEqual([]);
    expect(answer(503, '/health/ready', QUIET_REQUEST_LOG, 'debug')).toEqual([
      expect.objectContaining({ level: 20, req: expect.objectContaining({ path: '/health/ready' }) }),
    ]);
  });

  it('should log the address the request came from even after its connection closed', () => {
    const { logger, lines } = capture();
    // Fastify reads request.ip from the socket on each call: undefined once the connection is gone.
    let connected = true;
    const request = {
      id: 'abc',
      method: 'GET',
      url: '/user',
      get ip() {
        return connected ? '10.0.0.7' : undefined;
      },
      routeOptions: { config: {} },
    } as unknown as FastifyRequest;
    const reply = { statusCode: 200, elapsedTime: 1 } as FastifyReply;
    rememberClientAddress(request);
    connected = false;
    requestLogHook(logger).call(undefined as never, request, reply, () => undefined);
    expect(lines[0]).toMatchObject({ req: { remoteAddress: '10.0.0.7' } });
  });

  it.each([
    ['a plain request', 200, '/user', '10.0.0.7'],
    ['a 5xx', 503, '/user', '10.0.0.7'],
    ['a path JSON must escape', 404, '/a"b\\c/\u00e9/\ud800', '::1'],
    ['no address (the connection gone before the hook)', 200, '/user', undefined],
  ])('should write, for %s, the very bytes pino writes for the same fields', (_case, statusCode, url, ip) => {
    const raw = (level = 'debug') => {
      const written: string[] = [];
      return { written, logger: pino({ level }, { write: (line: string) => written.push(line) }) };
    };
    const hook = raw();
    const request = {
      id: 'r-1',
      method: 'GET',
      url,
      ip,
      routeOptions: { config: {} },
    } as unknown as FastifyRequest;
    const reply = { statusCode, elapsedTime: 2.5 } as FastifyReply;
    const before = Date.now();
    requestLogHook(hook.logger).call(undefined as never, request, reply, () => undefined);
    const own = raw();
    own.logger[statusCode >= 500 ? 'error' : 'info'](
      {
        req: { id: 'r-1', method: 'GET', path: url, remoteAddress: ip },
        res: { statusCode },
        responseTime: 2.5,
      },
      'request completed',
    );
    expect(hook.written).toHaveLength(1);
    // The same line but for the time each was written at.
    const time = /"time":(\d+)/;
    expect(Number(time.exec(hook.written[0])?.[1])).toBeGreaterThanOrEqual(before);
    expect(hook.written[0].replace(time, '"time":0')).toBe(own.written[0].replace(time, '"time":0'));
  });

  it("should keep pino's own path for a logger whose lines it cannot mirror (another message key)", () => {
    const written: string[] = [];
    const logger = pino({ messageKey: 'message' }, { write: (line: string) => written.push(line) });
    const request = {
      id: 'r-1',
      method: 'GET',
      url: '/user',
      ip: '::1',
      routeOptions: { config: {} },
    } as unknown as FastifyRequest;
    requestLogHook(logger).call(
      undefined as never,
      request,
      { statusCode: 200, elapsedTime: 1 } as FastifyReply,
      () => undefined,
    );
    expect(JSON.parse(written[0])).toMatchObject({ message: 'request completed', req: { path: '/user' } });
  });
});
