import cookie from '@fastify/cookie';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { DynamicModule, LoggerService, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ErrorBody } from './common/error-body.js';
import { BODY_LIMIT_BYTES } from './common/http-limits.js';
import type { Env } from './config/env.schema.js';
import { setupApiDocs } from './docs/api-docs.js';
import { Loggers } from './logging/loggers.js';
import { requestLogHook } from './logging/request-log.js';

/**
 * The HTTP layer shared by main.ts and the e2e tests, so that tests exercise exactly what
 * production serves. Nest-level behaviour lives in modules (APP_* providers); what is set
 * here belongs to Fastify itself and cannot be a provider.
 */
export function createHttpAdapter(env: Env): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Slow clients cannot hold sockets: the whole request must arrive within HTTP_REQUEST_TIMEOUT
    // seconds (Node.js then also bounds the headers), an idle socket closes after 30 s and an
    // idle keep-alive connection after 5 s. Headers over 16 KiB (Node's default) get 431.
    requestTimeout: env.durations.httpRequestTimeoutMs,
    connectionTimeout: 30_000,
    keepAliveTimeout: 5_000,
    // request.ip (throttling, sessions) honours X-Forwarded-For only from the proxies named in
    // TRUST_PROXY (addresses or CIDR ranges, comma-separated).
    trustProxy: env.TRUST_PROXY ?? false,
    // Every log line of a request carries this id; a caller's X-Request-Id is kept when it is sane.
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // A URL the router cannot decode ("/%") fails before any hook or Nest filter runs;
    // Fastify's own answer quotes the URL and its error code, so it is worded here.
    frameworkErrors: (_error: unknown, _request: unknown, reply: FastifyReply) =>
      sendError(reply, 400, 'request URL is malformed'),
  });
}

/** For answers given before Nest (and its HttpErrorFilter) sees the request: the same body and header. */
function sendError(reply: FastifyReply, statusCode: number, message: string): void {
  const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
  void reply.code(statusCode).header('Cache-Control', 'no-store').send(body);
}

/** A request id a client or proxy may pass in X-Request-Id; anything else is replaced. */
const REQUEST_ID = /^[\w.:-]{1,64}$/;

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

export async function configureHttpApp(app: NestFastifyApplication, env: Env): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-Id', request.id);
    done();
  });
  // A request for no route is answered before its body is read: Fastify would otherwise parse it
  // for the not-found handler, and a POST to a route that does not exist (POST /users with sign-up
  // off) would be a 400, 413 or 415 about its body instead of a 404. After the security headers'
  // hook (registered by the adapter), so the 404 carries them.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.is404) {
      sendError(reply, 404, 'no such resource');
      return;
    }
    done();
  });
  fastify.addHook('onResponse', requestLogHook(app.get(Loggers).requests));
  // Parses Cookie (the refresh token reaches POST /refresh as an HttpOnly cookie) and adds setCookie.
  await app.register(cookie);
  // Helmet 8's headers, serialized once at start-up and written by Nest's own onRequest hook
  // (@fastify/helmet re-derives its directives on every request: docs/decisions.md).
  app.useSecurityHeaders({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    referrerPolicy: { policy: 'no-referrer' },
  });
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
