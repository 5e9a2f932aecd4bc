import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import type { FastifyReply } from 'fastify';
import type { LoggerService, NestApplicationOptions, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ErrorBody } from './common/filters/http-error.filter.js';
import { BODY_LIMIT_BYTES } from './common/http-limits.js';

/**
 * The HTTP layer shared by main.ts and the e2e tests, so that tests exercise exactly what
 * production serves. Nest-level behaviour lives in modules (APP_* providers); what is set
 * here belongs to Fastify itself and cannot be a provider.
 */
export function createHttpAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // A URL the router cannot decode ("/%") fails before any hook or Nest filter runs;
    // Fastify's own answer quotes the URL and its error code, so it is worded here.
    frameworkErrors: (_error: unknown, _request: unknown, reply: FastifyReply) => {
      const body: ErrorBody = { statusCode: 400, error: 'Bad Request', message: 'request URL is malformed' };
      void reply.code(400).header('Cache-Control', 'no-store').send(body);
    },
  });
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
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  // Parses Cookie (the refresh token reaches POST /refresh as an HttpOnly cookie) and adds setCookie.
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    referrerPolicy: { policy: 'no-referrer' },
  });
}

export async function createApp(
  module: Type<unknown>,
  logger: LoggerService,
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(module, createHttpAdapter(), {
    ...APP_OPTIONS,
    logger,
  });
  await configureHttpApp(app);
  return app;
}
