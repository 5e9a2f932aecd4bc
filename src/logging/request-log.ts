import type { FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify';
import type { Logger } from 'pino';

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
      logger[level](
        {
          req: {
            id: request.id,
            method: request.method,
            path: query === -1 ? url : url.slice(0, query),
            remoteAddress: clientAddresses.get(request) ?? request.ip,
          },
          res: { statusCode },
          responseTime: Math.round(elapsed * 1000) / 1000,
        },
        'request completed',
      );
    }
    done();
  };
}
