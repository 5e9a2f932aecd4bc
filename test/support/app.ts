import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { APP_OPTIONS, configureHttpApp, createHttpAdapter } from '../../src/http-app.js';

/**
 * The real AppModule on the real HTTP stack (Fastify, security headers, parsers), as main.ts builds it.
 * `beforeInit` runs before Nest registers the controllers' routes (e.g. to add an onRoute hook).
 */
export async function createTestApp(
  beforeInit?: (app: NestFastifyApplication) => void,
): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), {
    ...APP_OPTIONS,
    logger: ['error'],
  });
  await configureHttpApp(app);
  beforeInit?.(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export const httpServer = (app: INestApplication) => app.getHttpServer() as import('node:http').Server;
