import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Env } from '../config/env.schema.js';
import { Metrics } from './metrics.js';

/**
 * The application's Prometheus metrics (docs/metrics.md): one `Metrics`, with a registry of its
 * own, per application. Global, so that features record into it without importing the module;
 * always provided (what features record costs an addition), and served only when METRICS_PORT is
 * set (main.ts starts the listener, metrics-server.ts).
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(env: Pick<Env, 'METRICS_PORT'>): DynamicModule {
    return {
      module: MetricsModule,
      // A factory, not a value: every application instance gets its own registry.
      providers: [
        { provide: Metrics, useFactory: () => new Metrics({ serving: env.METRICS_PORT !== undefined }) },
      ],
      exports: [Metrics],
    };
  }
}
