import fastifyStatic, { type FastifyStaticOptions } from '@fastify/static';
import { Injectable } from '@nestjs/common';
import type { AbstractHttpAdapter, ApplicationConfig } from '@nestjs/core';
import { AbstractLoader, type ServeStaticModuleOptions } from '@nestjs/serve-static';
import type { FastifyInstance } from 'fastify';

/**
 * ServeStaticModule's loader for this service. The stock FastifyLoader forces
 * `wildcard: false` (no extension lookup, so `/login` cannot serve login.html) and adds a
 * catch-all render route that answers every unknown GET itself, outside the exception filter.
 * This one lets @fastify/static resolve each request, and hands what it does not find to
 * Nest's 404, so unknown paths get the same JSON error as everything else. It also needs no
 * HTTP server at construction, so tests need no loader override.
 */
@Injectable()
export class PagesLoader extends AbstractLoader {
  register(
    httpAdapter: AbstractHttpAdapter,
    _config: ApplicationConfig,
    roots: ServeStaticModuleOptions[],
  ): void {
    const app = httpAdapter.getInstance<FastifyInstance>();
    roots.forEach(({ rootPath, serveRoot, serveStaticOptions }, index) => {
      void app.register(fastifyStatic, {
        root: rootPath ?? 'client',
        prefix: serveRoot ?? '/',
        // reply.sendFile() can be decorated once per instance.
        decorateReply: index === 0,
        // Nest's option type is a loose superset shared with Express (dotfiles: string).
        ...(serveStaticOptions as Partial<FastifyStaticOptions> | undefined),
        wildcard: true,
      });
    });
  }
}
