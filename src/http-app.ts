import cookie from '@fastify/cookie';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { LoggerService, NestApplicationOptions, Type } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
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
export function createHttpAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Slow clients cannot hold sockets: the whole request must arrive within HTTP_REQUEST_TIMEOUT
    // seconds (Node.js then also bounds the headers), an idle socket closes after 30 s and an
    // idle keep-alive connection after 5 s. Headers over 16 KiB (Node's default) get 431.
    requestTimeout: requestTimeoutMs(process.env.HTTP_REQUEST_TIMEOUT),
    connectionTimeout: 30_000,
    keepAliveTimeout: 5_000,
    // request.ip (throttling, sessions) honours X-Forwarded-For only from the proxies named in
    // TRUST_PROXY (addresses or CIDR ranges, comma-separated); read here because the adapter
    // exists before ConfigModule. The environment schema has already validated it.
    trustProxy: trustedProxies(process.env.TRUST_PROXY),
    // Every log line of a request carries this id; a caller's X-Request-Id is kept when it is sane.
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // A URL the router cannot decode ("/%") fails before any hook or Nest filter runs;
    // Fastify's own answer quotes the URL and its error code, so it is worded here.
    frameworkErrors: (_error: unknown, _request: unknown, reply: FastifyReply) => {
      const body: ErrorBody = { statusCode: 400, error: 'Bad Request', message: 'request URL is malformed' };
      void reply.code(400).header('Cache-Control', 'no-store').send(body);
    },
  });
}

function requestTimeoutMs(value: string | undefined): number {
  return (/^\d+$/.test(value ?? '') ? Number(value) : 15) * 1000;
}

/** A request id a client or proxy may pass in X-Request-Id; anything else is replaced. */
const REQUEST_ID = /^[\w.:-]{1,64}$/;

function trustedProxies(value: string | undefined): string[] | false {
  const proxies = value
    ?.split(',')
    .map((proxy) => proxy.trim())
    .filter((proxy) => proxy !== '');
  return proxies === undefined || proxies.length === 0 ? false : proxies;
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

export async function configureHttpApp(app: NestFastifyApplication): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-Id', request.id);
    done();
  });
  fastify.addHook('onResponse', requestLogHook(app.get(Loggers).requests));
  // Parses Cookie (the refresh token reaches POST /refresh as an HttpOnly cookie) and adds setCookie.
  await app.register(cookie);
  // Helmet 8's headers, serialized once at start-up and written by one onRequest hook (Nest's
  // own; @fastify/helmet re-derived its directives on every request, ~6% of GET /user's CPU).
  app.useSecurityHeaders({
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    referrerPolicy: { policy: 'no-referrer' },
  });
  if (app.get(ConfigService<Env, true>).get('DOCS_ENABLED', { infer: true })) {
    await setupApiDocs(app, CONTENT_SECURITY_POLICY);
  }
}

export async function createApp(
  module: Type<unknown>,
  logger: LoggerService,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, createHttpAdapter(), {
    ...APP_OPTIONS,
    logger,
    // Start-up lines wait for the structured logger (main.ts) instead of going to the console.
    bufferLogs: true,
  });
  await configureHttpApp(app);
  return app;
}
