import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** The management listener, once it listens. */
export interface MetricsServer {
  /** http://host:port, for the start-up line. */
  url: string;
  /** Stops accepting connections and resolves once the scrapes in flight are answered. */
  close: () => Promise<void>;
}

/** Thrown when the metrics listener cannot start; its message is one line for the operator. */
export class MetricsListenError extends Error {
  override name = 'MetricsListenError';
}

const notFound = JSON.stringify({ statusCode: 404, error: 'Not Found', message: 'no such resource' });

/**
 * Serves `GET /metrics` (Prometheus' text format) from `registry` on a port of its own, apart
 * from the public one: a plain node:http server, so that scrapes never pass through the public
 * port's hooks, throttling or request log, and METRICS_PORT can be firewalled on its own.
 * Anything else is a JSON 404.
 */
export async function startMetricsServer(
  registry: Registry,
  port: number,
  host: string,
): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response
        .writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' })
        .end(notFound);
      return;
    }
    registry.metrics().then(
      (text) => {
        response
          .writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' })
          .end(request.method === 'HEAD' ? undefined : text);
      },
      () => {
        response.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' }).end(
          JSON.stringify({
            statusCode: 500,
            error: 'Internal Server Error',
            message: 'metrics collection failed',
          }),
        );
      },
    );
  });
  // Scrapes are short: an idle Prometheus connection is not kept past the next one.
  server.keepAliveTimeout = 30_000;
  await listen(server, port, host);
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeIdleConnections();
      }),
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? 'the port is in use'
          : error.code === 'EACCES'
            ? 'permission denied'
            : error.code === 'EADDRNOTAVAIL'
              ? 'the address is not available'
              : (error.code ?? error.message);
      reject(new MetricsListenError(`METRICS_PORT ${port} on ${host} cannot be listened on: ${reason}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
