import type { Attributes, Context, Span, Tracer } from '@opentelemetry/api';
import type { Sampler } from '@opentelemetry/sdk-trace-node';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DataSource, QueryRunner } from 'typeorm';
import type { TracingConfig } from '../config/tracing-config.js';

/** The name of the span of a request no route matched: one name, whatever the URL. */
export const UNMATCHED_SPAN_NAME = 'HTTP unmatched';

/** How long the shutdown waits for the last export: a dead collector must not hold the exit. */
const FLUSH_TIMEOUT_MS = 5_000;

/** What tracing.ts calls once the SDK is started. */
export interface TracingSdk {
  span<T>(name: string, work: () => Promise<T>): Promise<T>;
  traceRequests(fastify: FastifyInstance): void;
  traceQueries(dataSource: DataSource): void;
  traceRedisCommands(client: object): void;
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK: loaded only from tracing.ts's startTracing, and loading its packages
 * only here, with import(), so that the bundle (which keeps them external, scripts/bundle.mjs) does
 * not load them at start. Spans are made explicitly (no module patching: the bundled code would
 * escape it): requests, SQL statements, Redis commands, password hashing.
 */
export async function openTracingSdk(config: TracingConfig): Promise<TracingSdk> {
  const [api, core, resources, node, exporters] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-node'),
    config.protocol === 'http/json'
      ? import('@opentelemetry/exporter-trace-otlp-http')
      : import('@opentelemetry/exporter-trace-otlp-proto'),
  ]);
  const { SpanKind, SpanStatusCode, context, trace, ROOT_CONTEXT } = api;

  const sampler = ((): Sampler => {
    const ratio = new node.TraceIdRatioBasedSampler(config.samplerRatio);
    switch (config.sampler) {
      case 'always_on':
        return new node.AlwaysOnSampler();
      case 'always_off':
        return new node.AlwaysOffSampler();
      case 'traceidratio':
        return ratio;
      case 'parentbased_always_off':
        return new node.ParentBasedSampler({ root: new node.AlwaysOffSampler() });
      case 'parentbased_traceidratio':
        return new node.ParentBasedSampler({ root: ratio });
      case 'parentbased_always_on':
        return new node.ParentBasedSampler({ root: new node.AlwaysOnSampler() });
    }
  })();
  const provider = new node.NodeTracerProvider({
    resource: resources.resourceFromAttributes({
      ...config.resourceAttributes,
      'service.name': config.serviceName,
    }),
    sampler,
    spanProcessors: [
      new node.BatchSpanProcessor(
        new exporters.OTLPTraceExporter({ url: config.url, headers: config.headers }),
      ),
    ],
  });
  // The AsyncLocalStorage context manager, so that the spans of a request's async work nest under it.
  const propagator = new core.W3CTraceContextPropagator();
  provider.register({ propagator });
  const tracer: Tracer = provider.getTracer(config.serviceName);

  /** A child of the active span; its status is an error when `work` fails (no message: it may quote input). */
  function span<T>(
    name: string,
    work: () => Promise<T>,
    attributes?: Attributes,
    kind = SpanKind.INTERNAL,
  ): Promise<T> {
    const parent = context.active();
    // Only within a traced operation (a request): the background work (revocation polling, key
    // rotation) would otherwise send a one-span trace every few seconds.
    if (trace.getSpan(parent) === undefined) {
      return work();
    }
    const child = tracer.startSpan(name, { kind, attributes }, parent);
    return context.with(trace.setSpan(parent, child), work).then(
      (result) => {
        child.end();
        return result;
      },
      (error: unknown) => {
        child.setStatus({ code: SpanStatusCode.ERROR });
        child.setAttribute('error.type', error instanceof Error ? error.name : 'unknown');
        child.end();
        throw error;
      },
    );
  }

  function traceRequests(fastify: FastifyInstance): void {
    const requests = new WeakMap<FastifyRequest, { span: Span; context: Context }>();
    fastify.addHook('onRequest', (request, _reply, done) => {
      const route = request.is404 ? undefined : request.routeOptions.url;
      const url = request.url;
      const query = url.indexOf('?');
      // An incoming traceparent (W3C) makes this span its child; anything else in the headers is ignored.
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, api.defaultTextMapGetter);
      const span = tracer.startSpan(
        route === undefined ? UNMATCHED_SPAN_NAME : `${request.method} ${route}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'http.request.method': request.method,
            ...(route === undefined ? {} : { 'http.route': route }),
            'url.path': query === -1 ? url : url.slice(0, query),
            'client.address': request.ip,
            'request.id': request.id,
          },
        },
        parent,
      );
      const active = trace.setSpan(parent, span);
      requests.set(request, { span, context: active });
      context.with(active, done);
    });
    // The body arrives on the socket's callbacks, outside the context above: the handler (Nest's
    // guards, pipes, controller) is entered in it again.
    fastify.addHook('preHandler', (request, _reply, done) => {
      const entry = requests.get(request);
      return entry === undefined ? done() : context.with(entry.context, done);
    });
    fastify.addHook('onResponse', (request, reply, done) => {
      const entry = requests.get(request);
      if (entry !== undefined) {
        requests.delete(request);
        entry.span.setAttribute('http.response.status_code', reply.statusCode);
        if (reply.statusCode >= 500) {
          entry.span.setStatus({ code: SpanStatusCode.ERROR });
          entry.span.setAttribute('error.type', String(reply.statusCode));
        }
        entry.span.end();
      }
      done();
    });
    fastify.addHook('onRequestAbort', (request, done) => {
      const entry = requests.get(request);
      if (entry !== undefined) {
        requests.delete(request);
        entry.span.setAttribute('error.type', 'aborted');
        entry.span.end();
      }
      done();
    });
  }

  function traceQueries(dataSource: DataSource): void {
    const system = dataSource.options.type === 'postgres' ? 'postgresql' : 'sqlite';
    const driver = dataSource.driver;
    const wrapped = new WeakSet<QueryRunner>();
    const createQueryRunner = driver.createQueryRunner.bind(driver);
    // Every statement, the repositories', the query builders' and DataSource.query's, goes through a
    // query runner's query(); the SQLite driver reuses one runner, PostgreSQL makes one per use.
    driver.createQueryRunner = (mode) => {
      const runner = createQueryRunner(mode);
      if (!wrapped.has(runner)) {
        wrapped.add(runner);
        const query = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
        runner.query = ((text: string, ...rest: unknown[]) =>
          span(
            `db ${operationOf(text)}`,
            () => query(text, ...rest),
            {
              'db.system.name': system,
              // The statement with its placeholders ($1, ?): TypeORM passes the values apart, and they are not recorded.
              'db.query.text': text,
            },
            SpanKind.CLIENT,
          )) as QueryRunner['query'];
      }
      return runner;
    };
  }

  function traceRedisCommands(client: object): void {
    type Client = { sendCommand: (args: readonly unknown[], ...rest: unknown[]) => Promise<unknown> };
    // The commands' methods call sendCommand on the client's _self (createClient may hand back a
    // proxy over it); every command of node-redis ends there. Only the command's name is recorded:
    // its arguments are keys and values.
    const target = ((client as { _self?: Client })._self ?? client) as Client;
    const sendCommand = target.sendCommand.bind(target);
    target.sendCommand = (args, ...rest) => {
      const operation = String(args[0]).toUpperCase();
      return span(
        `redis ${operation}`,
        () => sendCommand(args, ...rest),
        { 'db.system.name': 'redis', 'db.operation.name': operation },
        SpanKind.CLIENT,
      );
    };
  }

  async function shutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      provider.shutdown(),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_TIMEOUT_MS).unref())),
    ]);
    clearTimeout(timer);
  }

  return {
    span: (name, work) => span(name, work),
    traceRequests,
    traceQueries,
    traceRedisCommands,
    shutdown,
  };
}

/** SELECT, INSERT, BEGIN...: the statement's first word, for a span name of few values. */
function operationOf(text: string): string {
  const match = /^\s*([A-Za-z]+)/.exec(text);
  return match === null ? 'query' : match[1].toUpperCase();
}
