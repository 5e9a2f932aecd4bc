import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { AppModule } from './app.module.js';
import { loadEnv } from './config/environment.js';
import { Draining } from './health/draining.js';
import { shutDownOnSignals } from './health/graceful-shutdown.js';
import { createApp } from './http-app.js';
import { loggableError } from './logging/loggable-error.js';
import { PinoLoggerService } from './logging/loggers.js';
import { startMetricsServer } from './metrics/metrics-server.js';
import { Metrics } from './metrics/metrics.js';
import { StartupLogger } from './startup-logger.js';
import { flushTracing, startTracing } from './tracing/tracing.js';

async function bootstrap(): Promise<void> {
  const env = loadEnv();
  // Before the app is built: the HTTP hooks and the database's wrappers are installed as it is.
  await startTracing(env.tracing);
  const app = await createApp(AppModule.forRoot(env), env, new StartupLogger());
  app.useLogger(app.get(PinoLoggerService));
  await app.listen(env.PORT, env.HOST);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  // After the public port, so that a scrape never sees an app that cannot serve; a taken port
  // fails the start like a taken PORT (one line, below).
  const metrics =
    env.METRICS_PORT === undefined
      ? undefined
      : await startMetricsServer(app.get(Metrics).registry, env.METRICS_PORT, env.HOST);
  // Not enableShutdownHooks(): it re-raises the signal after closing, so the exit status
  // would read as a crash. The listener closes before app.close(): Nest runs the modules'
  // destroy hooks (the hashing workers, the database) before it closes the server, under the
  // requests still in flight.
  const shutdownLogger = new NestLogger('Shutdown');
  shutDownOnSignals(process, {
    delayMs: env.durations.shutdownDelayMs,
    drain: (signal) => app.get(Draining).begin(signal),
    closeListener: () => app.getHttpAdapter().close() as Promise<void>,
    closeMetrics: metrics?.close,
    closeApp: () => app.close(),
    flushTraces: flushTracing,
    exit: (code) => process.exit(code),
    log: (message) => shutdownLogger.log(message),
    error: (message, error) => shutdownLogger.error({ msg: message, err: error }),
  });
  if (metrics !== undefined) {
    new NestLogger('Bootstrap').log(`Metrics on ${metrics.url}/metrics`);
  }
  new NestLogger('Bootstrap').log(`Listening on ${url} (open it in a browser; log in at ${url}/login)`);
}

bootstrap().catch((error: unknown) => {
  // One line, no stack: a bad environment or a taken port is an operator's problem to read.
  // A migration's failed statement may quote a value in its message: loggableError drops it.
  const loggable = loggableError(error);
  const message = loggable instanceof Error ? loggable.message : String(loggable);
  console.error(`Failed to start: ${message}`);
  process.exit(1);
});
