import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { AppModule } from './app.module.js';
import { loadEnv } from './config/environment.js';
import { createApp } from './http-app.js';
import { PinoLoggerService } from './logging/loggers.js';
import { StartupLogger } from './startup-logger.js';

async function bootstrap(): Promise<void> {
  const env = loadEnv();
  const app = await createApp(AppModule.forRoot(env), env, new StartupLogger());
  app.useLogger(app.get(PinoLoggerService));
  await app.listen(env.PORT, env.HOST);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  // Not enableShutdownHooks(): it re-raises the signal after closing, so the exit status
  // would read as a crash. Closing finishes requests in flight and closes the database.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void app.close().then(() => process.exit(0));
    });
  }
  new NestLogger('Bootstrap').log(`Listening on ${url} (open it in a browser; log in at ${url}/login)`);
}

bootstrap().catch((error: unknown) => {
  // One line, no stack: a bad environment or a taken port is an operator's problem to read.
  const message = error instanceof Error ? error.message : String(error);
  console.error(`Failed to start: ${message}`);
  process.exit(1);
});
