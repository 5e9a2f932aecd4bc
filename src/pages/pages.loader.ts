import { readdirSync } from 'node:fs';
import fastifyStatic, { type FastifyStaticOptions } from '@fastify/static';
import { Injectable } from '@nestjs/common';
import type { AbstractHttpAdapter, ApplicationConfig } from '@nestjs/core';
import { AbstractLoader, type ServeStaticModuleOptions } from '@nestjs/serve-static';
import type { FastifyInstance } from 'fastify';

/**
 * ServeStaticModule's loader for this service. Every file is a route of its own, found at
 * start-up (@fastify/static's `wildcard: false`), and so is each page without its extension
 * (`/login` for login.html, which the stock FastifyLoader cannot serve): the router knows every
 * path and its methods (a POST to a page is a 405 with `Allow`), and what it does not know goes
 * to Nest's 404, so unknown paths get the same JSON error as everything else without a look at
 * the disk. Unlike the stock loader it adds no catch-all render route and needs no HTTP server
 * at construction, so tests need no loader override. A file added later is served after a restart.
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
      const root = rootPath ?? 'client';
      const prefix = serveRoot ?? '/';
      // Nest's option type is a loose superset shared with Express (dotfiles: string).
      const options = serveStaticOptions as Partial<FastifyStaticOptions> | undefined;
      void app.register(fastifyStatic, {
        root,
        prefix,
        // reply.sendFile() can be decorated once per instance: the first root's, used below.
        decorateReply: index === 0,
        ...options,
        wildcard: false,
      });
      for (const extension of [options?.extensions ?? []].flat()) {
        for (const file of filesWithExtension(root, extension)) {
          // config.file marks a file's route, as on @fastify/static's own.
          app.get(
            `${prefix}${file.slice(0, -extension.length - 1)}`,
            { config: { file } },
            (_request, reply) => reply.sendFile(file, root),
          );
        }
      }
    });
  }
}

/** The files under `root` (relative, `/`-separated, no dot-files) whose name ends in `.extension`. */
function filesWithExtension(root: string, extension: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(`.${extension}`))
    .map((entry) => `${entry.parentPath.slice(root.length + 1)}/${entry.name}`.replace(/^\//, ''))
    .filter((file) => !file.split('/').some((part) => part.startsWith('.')));
}
