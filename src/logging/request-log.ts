import type { FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify';
import { pino, type Logger } from 'pino';

/** What a route's Fastify config may say of its line (`@RouteConfig(QUIET_REQUEST_LOG)`). */
interface RequestLogConfig {
  requestLogLevel?: 'debug';
  /** Set by Fastify: the route's template, undefined for a request that matched no route. */
  url?: string;
}

/**
 * Told of every answered request, from the same hook as its line (http-app.ts passes the
 * metrics' recorder): the method, the route template (undefined: no route matched), the status
 * and the time in milliseconds.
 */
export type RequestObserver = (
  method: string,
  route: string | undefined,
  statusCode: number,
  ms: number,
) => void;

/**
 * For routes polled by machines (the health probes): their lines at debug, so that a load balancer
 * asking every second does not fill the log at info. Errors of theirs are logged where they arise.
 */
export const QUIET_REQUEST_LOG: RequestLogConfig = { requestLogLevel: 'debug' };

/** Each request's client address as it arrived (rememberClientAddress), for its line. */
const clientAddresses = new WeakMap<FastifyRequest, string | undefined>();

/**
 * Notes the client's address when the request arrives (from the first onRequest hook).
 * `request.ip` is read from the socket on every call, and once the connection has closed it is
 * undefined: a client or a load balancer that closes right after the answer (Connection: close)
 * would otherwise leave a line without its address.
 */
export function rememberClientAddress(request: FastifyRequest): void {
  clientAddresses.set(request, request.ip);
}

/**
 * The line every answered request leaves (Fastify onResponse hook): its id (the X-Request-Id it
 * was answered with), method, path without the query string, the client address (request.ip,
 * which honours TRUST_PROXY, as rememberClientAddress saw it), status and time. No headers, no query, no body. 5xx lines are
 * errors; the exception filter logs the cause with the same id.
 */
export function requestLogHook(logger: Logger, observe?: RequestObserver): onResponseHookHandler {
  const write = requestLineWriter(logger);
  return (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const statusCode = reply.statusCode;
    // Read once: Fastify builds routeOptions and elapsedTime anew on every access.
    const config = request.routeOptions.config as RequestLogConfig | undefined;
    const elapsed = reply.elapsedTime;
    observe?.(request.method, config?.url, statusCode, elapsed);
    const level = config?.requestLogLevel ?? (statusCode >= 500 ? 'error' : 'info');
    if (logger.isLevelEnabled(level)) {
      const url = request.url;
      const query = url.indexOf('?');
      write(level, {
        req: {
          id: request.id,
          method: request.method,
          path: query === -1 ? url : url.slice(0, query),
          remoteAddress: clientAddresses.get(request) ?? request.ip,
        },
        res: { statusCode },
        responseTime: Math.round(elapsed * 1000) / 1000,
      });
    }
    done();
  };
}

interface RequestLine {
  req: { id: string; method: string; path: string; remoteAddress: string | undefined };
  res: { statusCode: number };
  responseTime: number;
}

type LineWriter = (level: 'debug' | 'info' | 'error', line: RequestLine) => void;

/**
 * Writes what `logger[level](line, 'request completed')` writes, byte for byte (a unit test holds
 * it to pino's own output), without pino's generic path: its serializer walks the object and
 * checks every value's type, about two thirds of the request log's cost on GET /user
 * (docs/decisions.md). The fields are fixed: strings through JSON.stringify, numbers as they are,
 * an undefined address left out as pino leaves it out. The line goes to the logger's own stream,
 * after pino's level, time and bindings (pid, hostname). Any logger this cannot mirror (a
 * multistream, which wants each line's level, or a custom time or message key) keeps pino's path.
 */
function requestLineWriter(logger: Logger): LineWriter {
  const internals = logger as unknown as Record<symbol, unknown>;
  const stream = internals[pino.symbols.streamSym] as { write(line: string): unknown } & Record<
    symbol,
    unknown
  >;
  const mirrorable =
    stream?.[pino.symbols.needsMetadataGsym] !== true &&
    internals[pino.symbols.timeSym] === pino.stdTimeFunctions.epochTime &&
    internals[pino.symbols.messageKeySym] === 'msg' &&
    typeof internals[pino.symbols.chindingsSym] === 'string';
  if (!mirrorable) {
    return (level, line) => logger[level](line, 'request completed');
  }
  const bindings = internals[pino.symbols.chindingsSym] as string;
  const head = (level: string) => `{"level":${logger.levels.values[level]},"time":`;
  const heads = { debug: head('debug'), info: head('info'), error: head('error') };
  return (level, { req, res, responseTime }) => {
    const address =
      req.remoteAddress === undefined ? '' : `,"remoteAddress":${JSON.stringify(req.remoteAddress)}`;
    stream.write(
      `${heads[level]}${Date.now()}${bindings},"req":{"id":${JSON.stringify(req.id)},"method":${JSON.stringify(req.method)},` +
        `"path":${JSON.stringify(req.path)}${address}},"res":{"statusCode":${res.statusCode}},` +
        `"responseTime":${responseTime},"msg":"request completed"}\n`,
    );
  };
}
