import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { spawnProcess, type ServiceProcess } from '../../scripts/lib/service-process.mjs';
import { failedStart, startServer, type RunningServer } from '../support/server-process.js';
import { login, postLogin, sleep } from '../support/session-client.js';

// The built service with METRICS_PORT, scraped by a real Prometheus (Debian's, 2.42) every second:
// what it stores is read back through its HTTP API, as a dashboard or an alert would.
jest.setTimeout(120_000);

const JOB = 'nest-jwt-auth';
const ADMIN = { name: 'metrics-admin', password: 'metrics-test-password' };

/** The prometheus binary, or undefined. */
const prometheus = ['/usr/bin/prometheus', 'prometheus'].find(
  (command) => spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0,
);
if (prometheus === undefined) {
  const reason = 'prometheus is not installed (apt-get install prometheus)';
  if (process.env.REQUIRE_SERVICES === '1') {
    throw new Error(`${reason}, and REQUIRE_SERVICES=1 says it must be`);
  }
  console.warn(`metrics skipped: ${reason}`);
}
const describeWithPrometheus = prometheus === undefined ? describe.skip : describe;

const freePort = () =>
  new Promise<number>((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Polls an instant query until `accept` holds for its result; fails with the last result after 60 s. */
async function queryUntil(
  base: string,
  query: string,
  accept: (samples: Sample[]) => boolean,
): Promise<Sample[]> {
  let last: unknown;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(500)) {
    const response = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`).catch(
      (error: unknown) => ({ error }),
    );
    if ('json' in response && response.ok) {
      const body = (await response.json()) as { data: { result: Sample[] } };
      last = body.data.result;
      if (accept(body.data.result)) {
        return body.data.result;
      }
    } else {
      last = response;
    }
  }
  throw new Error(`${query}: not as expected within 60 s; last answer ${JSON.stringify(last)}`);
}

const valueOf = (samples: Sample[]) => (samples.length === 1 ? Number(samples[0].value[1]) : NaN);

/** The series of `name` in a /metrics answer, one line each. */
const linesOf = (text: string, name: string) =>
  text.split('\n').filter((line) => line.startsWith(`${name}{`));

describeWithPrometheus('metrics (METRICS_PORT, scraped by Prometheus)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-metrics-'));
  let server: RunningServer;
  let metricsUrl: string;
  let prom: ServiceProcess;
  let promUrl: string;

  beforeAll(async () => {
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}`;
    server = await startServer(
      {
        NODE_ENV: 'test',
        DATA_DIR: join(dir, 'data'),
        METRICS_PORT: String(metricsPort),
        ADMIN_NAME: ADMIN.name,
        ADMIN_PASSWORD: ADMIN.password,
      },
      dir,
    );
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        `  - job_name: ${JOB}`,
        '    static_configs:',
        `      - targets: ['127.0.0.1:${metricsPort}']`,
        '',
      ].join('\n'),
    );
    prom = spawnProcess({
      command: prometheus!,
      args: [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      env: { PATH: process.env.PATH },
      cwd: dir,
      label: 'prometheus',
    });
  });

  afterAll(async () => {
    await prom?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should show Prometheus a failed and a successful login', async () => {
    await postLogin(server.url, ADMIN.name, 'wrong-password').expect(400);
    await login(server.url, ADMIN.name, ADMIN.password);
    const up = await queryUntil(promUrl, `up{job="${JOB}"}`, (samples) => valueOf(samples) === 1).catch(
      (error: unknown) => {
        throw new Error(`${String(error)}\nprometheus output:\n${prom.output()}`);
      },
    );
    expect(valueOf(up)).toBe(1);
    const failed = await queryUntil(
      promUrl,
      `auth_logins_total{job="${JOB}",outcome="failed"}`,
      (samples) => valueOf(samples) >= 1,
    );
    const succeeded = await queryUntil(
      promUrl,
      `auth_logins_total{job="${JOB}",outcome="succeeded"}`,
      (samples) => valueOf(samples) >= 1,
    );
    expect(valueOf(failed)).toBe(1);
    expect(valueOf(succeeded)).toBe(1);
  });

  it('should label requests with route templates, and every unmatched path with one value', async () => {
    const { token } = await login(server.url, ADMIN.name, ADMIN.password);
    await request(server.url)
      .delete('/user/sessions/00000000-0000-4000-8000-000000000000')
      .set('Authorization', `Bearer ${token}`)
      .expect(404);
    for (let i = 0; i < 200; i++) {
      await request(server.url)
        .get(`/no-such-path-${i}-${Math.random().toString(36).slice(2)}`)
        .expect(404);
    }
    const text = await (await fetch(`${metricsUrl}/metrics`)).text();
    const counts = linesOf(text, 'http_request_duration_seconds_count');
    expect(counts).toContainEqual(
      expect.stringMatching(
        /^http_request_duration_seconds_count\{method="DELETE",route="\/user\/sessions\/:id",status_code="404"\} 1$/,
      ),
    );
    const unmatched = counts.filter((line) => line.includes('route="unmatched"'));
    expect(unmatched).toEqual([
      expect.stringMatching(
        /^http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} \d+$/,
      ),
    ]);
    expect(Number(unmatched[0].split(' ').at(-1))).toBeGreaterThanOrEqual(200);
    expect(counts.some((line) => line.includes('no-such-path'))).toBe(false);
  });

  it('should serve Prometheus text on the metrics port, with the default process metrics', async () => {
    const response = await fetch(`${metricsUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    for (const name of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'auth_active_sessions',
      'auth_password_hash_queue_depth',
    ]) {
      expect(text).toMatch(new RegExp(`^${name} `, 'm'));
    }
    const other = await fetch(`${metricsUrl}/user`);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'no such resource' });
  });

  it('should never serve /metrics on the public port', async () => {
    const response = await request(server.url).get('/metrics').expect(404);
    expect(response.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'no such resource' });
    expect(response.text).not.toContain('auth_logins_total');
  });

  it('should refuse to start, in one line, when METRICS_PORT is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { code, stderr } = await failedStart(
        { NODE_ENV: 'test', DATA_DIR: join(dir, 'clash'), METRICS_PORT: String(port) },
        dir,
      );
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        `Failed to start: METRICS_PORT ${port} on 127.0.0.1 cannot be listened on: the port is in use`,
      );
    } finally {
      taken.close();
    }
  });
});
