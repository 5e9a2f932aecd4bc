import type { FastifyInstance } from 'fastify';
import type { DataSource } from 'typeorm';
import type { TracingConfig } from '../config/tracing-config.js';
import type { TracingSdk } from './tracing-sdk.js';

/**
 * The one tracing SDK of the process, or undefined while tracing is off. Everything the rest of
 * the code calls checks it first, so that with tracing off the SDK is never loaded (tracing-sdk.ts
 * and the OpenTelemetry packages are imported dynamically, in startTracing) and each call costs a
 * comparison.
 */
let sdk: TracingSdk | undefined;

/** Loads and starts the SDK when `config` is set (an OTLP endpoint is configured); else nothing. */
export async function startTracing(config: TracingConfig | undefined): Promise<void> {
  if (config === undefined || sdk !== undefined) {
    return;
  }
  const { openTracingSdk } = await import('./tracing-sdk.js');
  sdk = await openTracingSdk(config);
}

export function tracingEnabled(): boolean {
  return sdk !== undefined;
}

/** Runs `work` in a child span of the active one (the request's), when tracing is on. */
export function traced<T>(name: string, work: () => Promise<T>): Promise<T> {
  return sdk === undefined ? work() : sdk.span(name, work);
}

/** One SERVER span per request (hooks added only when tracing is on). */
export function traceRequests(fastify: FastifyInstance): void {
  sdk?.traceRequests(fastify);
}

/** A span per SQL statement of this data source (wrappers installed only when tracing is on). */
export function traceQueries(dataSource: DataSource): void {
  sdk?.traceQueries(dataSource);
}

/** A span per command sent on this node-redis client (wrapped only when tracing is on). */
export function traceRedisCommands(client: object): void {
  sdk?.traceRedisCommands(client);
}

/** Exports the spans still buffered and stops the SDK: the last step of the shutdown. */
export async function flushTracing(): Promise<void> {
  const current = sdk;
  sdk = undefined;
  await current?.shutdown();
}
