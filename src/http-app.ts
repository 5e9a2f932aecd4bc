import cookie from '@fastify/cookie';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {
  DynamicModule,
  LoggerService,
  NestApplicationOptions,
  SecurityHeadersOptions,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
// Nest's own resolver behind app.useSecurityHeaders(), so that answers written to the socket
// carry exactly its headers (exported by @nestjs/core's package.json, not its index).
import { resolveSecurityHeaders } from '@nestjs/core/security/security-headers.js';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { errorBody } from './common/error-body.js';
import { MethodNotAllowedError } from './common/http/method-not-allowed.exception.js';
import {
  connectRefusalHandler,
  expectationRefusalHandler,
  parserRefusalHandler,
  routerRefusal,
} from './common/http/parser-refusal.js';
import { requestHeadProblem } from './common/http/request-head.js';
import { RouteMethods } from './common/http/route-methods.js';
import { BODY_LIMIT_BYTES, HEAD_LIMIT_BYTES, HEADER_COUNT_LIMIT } from './common/http-limits.js';
import { useStrictJsonParser } from './common/http/json-body-parser.js';
import { requestIdOf } from './common/request-context/request-id.js';
import type { Env } from './config/env.schema.js';
import { setupApiDocs } from './docs/api-docs.js';
import { Loggers } from './logging/loggers.js';
import { rememberClientAddress, requestLogHook } from './logging/request-log.js';
import { Metrics } from './metrics/metrics.js';
import { traceRequests } from './tracing/tracing.js';

/**
 * The HTTP layer shared by main.ts and the e2e tests, so that tests exercise exactly what
 * production serves. Nest-level behaviour lives in modules (APP_* providers); what is set
 * here belongs to Fastify itself and cannot be a provider.
 */
export function createHttpAdapter(env: Env): FastifyAdapter {
  const requestTimeoutMs = env.durations.httpRequestTimeoutMs;
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Slow clients cannot hold sockets: the whole request, body included, must arrive within
    // HTTP_REQUEST_TIMEOUT seconds (a 408), an idle keep-alive connection closes after 5 s.
    requestTimeout: requestTimeoutMs,
    // The socket's idle timeout closes without an answer, so it must never come before the 408.
    connectionTimeout: Math.max(30_000, requestTimeoutMs + 2 * TIMEOUT_CHECK_MS),
    keepAliveTimeout: 5_000,
    http: {
      // Node checks headersTimeout (60 s by default) for the headers and requestTimeout for the
      // whole request, and swaps the two when headersTimeout is the larger: Fastify sets
      // requestTimeout after the server exists, so the body was bounded by 60 s, not by
      // HTTP_REQUEST_TIMEOUT. Both are set here, one bound for the whole request.
      headersTimeout: requestTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Node looks for requests past their timeout this often (30 s by default, which let a 15 s
      // timeout fire after up to 45 s); a pass over the open connections is cheap.
      connectionsCheckingInterval: TIMEOUT_CHECK_MS,
      // Node's parser counts names and values only: the whole head is counted in onRequest
      // (requestHeadProblem), this bounds what the parser holds before that.
      maxHeaderSize: HEAD_LIMIT_BYTES,
      // Node would answer a missing Host itself, with an empty 400; requestHeadProblem does.
      requireHostHeader: false,
    },
    // Requests Node's parser refuses (malformed, a head over the limit, the request timeout)
    // are answered here, before Fastify or Nest see them: parser-refusal.ts.
    clientErrorHandler: parserRefusalHandler({
      headers: EVERY_ANSWERS_HEADERS,
      requestTimeoutSeconds: env.HTTP_REQUEST_TIMEOUT,
    }),
    // request.ip (throttling, sessions) honours X-Forwarded-For only from the proxies named in
    // TRUST_PROXY (addresses or CIDR ranges, comma-separated).
    trustProxy: env.TRUST_PROXY ?? false,
    // Every log line of a request carries this id; a caller's X-Request-Id is kept when it is sane.
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => requestIdOf(request.headers['x-request-id']),
    // A URL the router cannot decode ("/%") fails before any hook runs, so before Nest's hook
    // that writes the security headers: they and the request id are written here.
    frameworkErrors: (error: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply) => {
      for (const [name, value] of EVERY_ANSWERS_HEADERS) {
        void reply.header(name, value);
      }
      const { statusCode, message } = routerRefusal(error.code);
      sendError(reply.header('X-Request-Id', request.id), statusCode, message);
    },
  });
}

/** How often Node checks for requests past HTTP_REQUEST_TIMEOUT: it fires at most this late. */
const TIMEOUT_CHECK_MS = 1_000;

/** For answers given before Nest (and its HttpErrorFilter) sees the request: the same body and header. */
function sendError(reply: FastifyReply, statusCode: number, message: string): void {
  void reply.code(statusCode).header('Cache-Control', 'no-store').send(errorBody(statusCode, message));
}

export const APP_OPTIONS: NestApplicationOptions = {
  // Fastify's own JSON parser is kept; Nest's would add a form-urlencoded one, and this API
  // reads JSON only (415 for anything else).
  bodyParser: false,
  // Throw start-up errors to the caller (main.ts prints one line) instead of process.abort().
  abortOnError: false,
};

/** The policy the pages are written for: no inline script or style, nothing from elsewhere. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
};

/**
 * Helmet 8's headers with the pages' policy: the one source of the security headers, written by
 * Nest's hook on every answer Fastify makes and by parser-refusal.ts on the ones it cannot.
 */
export const SECURITY_HEADERS: SecurityHeadersOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  referrerPolicy: { policy: 'no-referrer' },
};

/** The security headers, for the answers written before Nest's hook runs (or without Fastify). */
const EVERY_ANSWERS_HEADERS = resolveSecurityHeaders(SECURITY_HEADERS).headers;

export async function configureHttpApp(app: NestFastifyApplication, env: Env): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // One more than the limit, so that a request over it is seen to be (Node drops the rest unseen).
  fastify.server.maxHeadersCount = HEADER_COUNT_LIMIT + 1;
  // Node closes the socket of a CONNECT request unanswered when nobody listens for it.
  fastify.server.on('connect', connectRefusalHandler({ headers: EVERY_ANSWERS_HEADERS }));
  // And answers an Expect other than 100-continue with a bare 417 when nobody listens for it.
  fastify.server.on('checkExpectation', expectationRefusalHandler({ headers: EVERY_ANSWERS_HEADERS }));
  fastify.removeContentTypeParser('text/plain');
  useStrictJsonParser(fastify);
  // Before any route is added (the docs below, the controllers and pages at init).
  const routeMethods = new RouteMethods();
  fastify.addHook('onRoute', (route) => routeMethods.add(route.method, route.url));
  // Before the hook below, so that the request's span covers it (and exists only with tracing on).
  traceRequests(fastify);
  // One hook for what every request needs before its route runs (GET /user included, so one
  // call rather than one per concern). In order: the client's address for the request line,
  // while the connection is there; the request id; the head's limits; and, for a request that
  // matches no route (or only a template that a fixed path outranks, RouteMethods.shadowed), its
  // answer before the body is read: 405 with Allow when the path has other methods, else 404.
  // Fastify would otherwise parse the body for the not-found handler, and a POST to a route
  // that does not exist (POST /users with sign-up off) would be a 400, 413 or 415 about its
  // body. After the security headers' hook (registered by the adapter), so these answers carry
  // them.
  fastify.addHook('onRequest', (request, reply, done) => {
    rememberClientAddress(request);
    void reply.header('X-Request-Id', request.id);
    const problem = requestHeadProblem(request.raw);
    if (
      problem !== undefined ||
      (!request.is404 && !routeMethods.shadowed(request.routeOptions.url, request.url))
    ) {
      return done(problem);
    }
    const allowed = routeMethods.allowed((method) => fastify.findRoute({ method, url: request.url }));
    if (allowed.length > 0) {
      return done(new MethodNotAllowedError(allowed));
    }
    sendError(reply, 404, 'no such resource');
  });
  // The request's line and, when metrics are served, its http_request_duration_seconds sample.
  const metrics = app.get(Metrics);
  fastify.addHook(
    'onResponse',
    requestLogHook(app.get(Loggers).requests, metrics.serving ? metrics.observeRequest : undefined),
  );
  // Parses Cookie (the refresh token reaches POST /refresh as an HttpOnly cookie) and adds setCookie.
  await app.register(cookie);
  // Helmet 8's headers, serialized once at start-up and written by Nest's own onRequest hook
  // (@fastify/helmet re-derives its directives on every request: docs/decisions.md).
  app.useSecurityHeaders(SECURITY_HEADERS);
  if (env.DOCS_ENABLED) {
    await setupApiDocs(app, CONTENT_SECURITY_POLICY);
  }
}

export async function createApp(
  module: DynamicModule,
  env: Env,
  logger: LoggerService,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, createHttpAdapter(env), {
    ...APP_OPTIONS,
    logger,
    // Start-up lines wait for the structured logger (main.ts) instead of going to the console.
    bufferLogs: true,
  });
  await configureHttpApp(app, env);
  return app;
}
