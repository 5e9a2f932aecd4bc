import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { loadEnv } from '../../src/config/environment.js';
import { APP_OPTIONS, configureHttpApp, createHttpAdapter } from '../../src/http-app.js';

/**
 * The real AppModule on the real HTTP stack (Fastify, security headers, parsers), as main.ts builds it.
 * `beforeInit` runs before Nest registers the controllers' routes (e.g. to add an onRoute hook).
 */
export async function createTestApp(
  beforeInit?: (app: NestFastifyApplication) => void,
): Promise<NestFastifyApplication> {
  // Read when the app is built: a test file may set variables before each app it builds.
  const env = loadEnv();
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(env)] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(env), {
    ...APP_OPTIONS,
    logger: ['error'],
  });
  await configureHttpApp(app, env);
  beforeInit?.(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export const httpServer = (app: INestApplication) => app.getHttpServer() as import('node:http').Server;
