import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedStart, startServer, type RunningServer } from '../support/server-process.js';
import { login, sleep } from '../support/session-client.js';

/** An OTLP/HTTP collector in the test: keeps every export it receives. */
interface Export {
  contentType: string | undefined;
  body: Buffer;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  status?: { code?: number };
  attributes: { key: string; value: OtlpValue }[];
}
interface OtlpJson {
  resourceSpans: {
    resource: { attributes: { key: string; value: OtlpValue }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

const SERVER_KIND = 2;
const PASSWORD = '1234';
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

async function startCollector(): Promise<{ server: Server; url: string; exports: Export[] }> {
  const exports: Export[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      exports.push({ contentType: request.headers['content-type'], body: Buffer.concat(chunks) });
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports };
}

const spansOf = (exports: Export[]): OtlpSpan[] =>
  exports.flatMap(
    (item) =>
      (JSON.parse(item.body.toString()) as OtlpJson).resourceSpans?.flatMap((resource) =>
        resource.scopeSpans.flatMap((scope) => scope.spans),
      ) ?? [],
  );

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((item) => item.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
};

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const found = probe();
    if (found !== undefined) {
      return found;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('Tracing (OpenTelemetry, built service)', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let service: RunningServer | undefined;

  beforeEach(async () => {
    collector = await startCollector();
  });
  afterEach(async () => {
    await service?.stop();
    service = undefined;
    await new Promise((resolve) => collector.server.close(resolve));
  });

  const start = (env: Record<string, string>) =>
    startServer(
      { OTEL_BSP_SCHEDULE_DELAY: '200', ...env },
      mkdtempSync(join(tmpdir(), 'nest-jwt-auth-tracing-')),
    );

  it('should export a span tree per request over http/json, with no secret in any attribute', async () => {
    service = await start({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'tracing-e2e',
    });
    const pair = await login(service.url, 'admin', PASSWORD);
    const traceparent = `00-${TRACE_ID}-${PARENT_ID}-01`;
    const user = await fetch(`${service.url}/user?secret=${pair.token}`, {
      headers: { Authorization: `Bearer ${pair.token}`, Cookie: pair.cookie, traceparent },
    });
    expect(user.status).toBe(200);
    const requestId = user.headers.get('x-request-id');
    expect(
      (await fetch(`${service.url}/user/sessions`, { headers: { Authorization: `Bearer ${pair.token}` } }))
        .status,
    ).toBe(200);
    const other = await login(service.url, 'admin', PASSWORD);
    // No such session: the route's template is what the span is named after, whatever the answer.
    const otherId = '00000000-0000-4000-8000-000000000000';
    const deleted = await fetch(`${service.url}/user/sessions/${otherId}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${other.token}` },
    });
    expect(deleted.status).toBeLessThan(500);
    expect((await fetch(`${service.url}/no/such/page`)).status).toBe(404);

    const spans = await until('the DELETE span', () => {
      const all = spansOf(collector.exports);
      return all.some((span) => span.name === 'DELETE /user/sessions/:id') &&
        all.some((span) => span.name === 'HTTP unmatched')
        ? all
        : undefined;
    });
    expect(collector.exports.every((item) => item.contentType === 'application/json')).toBe(true);
    const servers = spans.filter((span) => span.kind === SERVER_KIND);
    expect(servers.map((span) => span.name)).toEqual(
      expect.arrayContaining(['POST /login', 'GET /user', 'GET /user/sessions', 'DELETE /user/sessions/:id']),
    );

    const getUser = servers.find((span) => span.name === 'GET /user')!;
    expect(getUser.traceId).toBe(TRACE_ID);
    expect(getUser.parentSpanId).toBe(PARENT_ID);
    expect(attribute(getUser, 'http.request.method')).toBe('GET');
    expect(attribute(getUser, 'http.route')).toBe('/user');
    expect(attribute(getUser, 'url.path')).toBe('/user');
    expect(attribute(getUser, 'http.response.status_code')).toBe(200);
    expect(attribute(getUser, 'client.address')).toBe('127.0.0.1');
    expect(attribute(getUser, 'request.id')).toBe(requestId);

    const deleteSpan = servers.find((span) => span.name === 'DELETE /user/sessions/:id')!;
    expect(attribute(deleteSpan, 'http.route')).toBe('/user/sessions/:id');
    expect(attribute(deleteSpan, 'url.path')).toBe(`/user/sessions/${otherId}`);
    const unmatched = servers.find((span) => span.name === 'HTTP unmatched')!;
    expect(attribute(unmatched, 'http.route')).toBeUndefined();
    expect(attribute(unmatched, 'http.response.status_code')).toBe(404);

    const childrenOf = (parent: OtlpSpan) =>
      spans.filter((span) => span.traceId === parent.traceId && span.parentSpanId === parent.spanId);
    const firstLogin = servers.find((span) => span.name === 'POST /login')!;
    expect(childrenOf(firstLogin).map((span) => span.name)).toContain('password verify');
    const db = childrenOf(firstLogin).filter((span) => span.name.startsWith('db '));
    expect(db.length).toBeGreaterThan(0);
    expect(db.map((span) => span.name)).toContain('db SELECT');
    for (const span of db) {
      expect(attribute(span, 'db.system.name')).toBe('sqlite');
      expect(String(attribute(span, 'db.query.text'))).toMatch(/^\s*[A-Za-z]+\b/);
    }
    // The resource names the service as configured.
    const resources = collector.exports.flatMap(
      (item) => (JSON.parse(item.body.toString()) as OtlpJson).resourceSpans,
    );
    expect(resources[0].resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'tracing-e2e' },
    });

    // Nothing secret anywhere in what was exported: password, tokens, cookie, the query string.
    const exported = collector.exports.map((item) => item.body.toString()).join('\n');
    const cookieValue = pair.cookie.split(';')[0].split('=').slice(1).join('=');
    for (const secret of [pair.token, pair.refreshToken, cookieValue, other.token, 'secret=']) {
      expect(secret.length).toBeGreaterThan(4);
      expect(exported).not.toContain(secret);
    }
    expect(exported).not.toContain(`"${PASSWORD}"`);
    expect(exported).not.toMatch(/authorization|cookie|argon2id\$/i);
  });

  it('should export the last spans when stopped with SIGTERM', async () => {
    // A schedule longer than the test: only the shutdown's flush can send the span.
    service = await start({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    await sleep(500);
    expect(spansOf(collector.exports)).toHaveLength(0);
    expect(await service.stop()).toBe(0);
    service = undefined;
    expect(spansOf(collector.exports).map((span) => span.name)).toContain('GET /health/live');
  });

  it('should export http/protobuf by default', async () => {
    service = await start({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces` });
    await login(service.url, 'admin', PASSWORD);
    await until('an export', () => (collector.exports.length > 0 ? true : undefined));
    expect(collector.exports[0].contentType).toBe('application/x-protobuf');
    expect(collector.exports[0].body.length).toBeGreaterThan(0);
  });

  it('should load no OpenTelemetry module while tracing is off (and load them when it is on)', async () => {
    // Node's own loader log names every module file it loads, ESM and CommonJS.
    service = await start({ NODE_DEBUG: 'esm,module' });
    await login(service.url, 'admin', PASSWORD);
    expect(service.output()).toContain('dist/bundle/main.js');
    // No SDK, exporter or resource code. @opentelemetry/api itself may load: prom-client (metrics)
    // imports it for exemplars, and without a registered provider it is a no-op.
    expect(service.output()).not.toMatch(/@opentelemetry\/(?!api\b)/);
    await service.stop();

    service = await start({ NODE_DEBUG: 'esm,module', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });
    expect(service.output()).toContain('@opentelemetry/sdk-trace-node');
  });

  it('should refuse to start with OTEL_EXPORTER_OTLP_PROTOCOL=grpc, saying why', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-tracing-'));
    const { code, stderr } = await failedStart(
      { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      cwd,
    );
    expect(code).toBe(1);
    expect(stderr).toContain('OTEL_EXPORTER_OTLP_PROTOCOL grpc is not supported');
  });
});
