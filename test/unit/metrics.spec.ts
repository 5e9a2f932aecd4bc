import { describe, expect, it } from '@jest/globals';
import { methodLabel, OTHER_METHOD, routeLabel, UNMATCHED_ROUTE } from '../../src/metrics/http-labels.js';
import { Metrics } from '../../src/metrics/metrics.js';

/** The label sets of one metric in the registry's text output. */
async function seriesOf(metrics: Metrics, name: string): Promise<string[]> {
  const text = await metrics.registry.metrics();
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('http-labels', () => {
  it.each(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])(
    'should keep the method %s',
    (method) => expect(methodLabel(method)).toBe(method),
  );

  it.each(['PROPFIND', 'BREW', 'get', 'M-SEARCH', ''])('should fold the method %p into one value', (method) =>
    expect(methodLabel(method)).toBe(OTHER_METHOD),
  );

  it('should keep a route template', () => {
    expect(routeLabel('/user/sessions/:id')).toBe('/user/sessions/:id');
  });

  it.each([undefined, ''])('should give a request with no route (%p) the one unmatched value', (template) =>
    expect(routeLabel(template)).toBe(UNMATCHED_ROUTE),
  );
});

describe(Metrics.name, () => {
  it('should keep one series per method, route and status however many paths and methods are asked for', async () => {
    const metrics = new Metrics({ serving: true });
    for (let i = 0; i < 500; i++) {
      metrics.observeRequest(i % 2 === 0 ? 'GET' : `X-${i}`, undefined, 404, 1);
    }
    metrics.observeRequest('GET', '/user/sessions/:id', 200, 2);
    const counts = await seriesOf(metrics, 'http_request_duration_seconds_count');
    expect(counts.sort()).toEqual(
      [
        'http_request_duration_seconds_count{method="GET",route="/user/sessions/:id",status_code="200"} 1',
        'http_request_duration_seconds_count{method="GET",route="unmatched",status_code="404"} 250',
        'http_request_duration_seconds_count{method="other",route="unmatched",status_code="404"} 250',
      ].sort(),
    );
  });

  it('should record durations in seconds into the buckets', async () => {
    const metrics = new Metrics();
    metrics.observeRequest('GET', '/user', 200, 3);
    const lines = await seriesOf(metrics, 'http_request_duration_seconds_bucket');
    expect(lines).toContain(
      'http_request_duration_seconds_bucket{le="0.0025",method="GET",route="/user",status_code="200"} 0',
    );
    expect(lines).toContain(
      'http_request_duration_seconds_bucket{le="0.005",method="GET",route="/user",status_code="200"} 1',
    );
  });

  it('should list every login outcome at 0 before the first login', async () => {
    const metrics = new Metrics();
    metrics.login('failed');
    expect(await seriesOf(metrics, 'auth_logins_total')).toEqual([
      'auth_logins_total{outcome="succeeded"} 0',
      'auth_logins_total{outcome="failed"} 1',
      'auth_logins_total{outcome="throttled"} 0',
      'auth_logins_total{outcome="mfa_required"} 0',
    ]);
  });

  it('should keep apps apart: two instances never share a count', async () => {
    const [a, b] = [new Metrics(), new Metrics()];
    a.refresh('replayed');
    expect(await seriesOf(b, 'auth_refreshes_total')).toContain('auth_refreshes_total{outcome="replayed"} 0');
    expect(await seriesOf(a, 'auth_refreshes_total')).toContain('auth_refreshes_total{outcome="replayed"} 1');
  });

  it('should count the active sessions once per cache period, keeping the last count when one fails', async () => {
    const metrics = new Metrics();
    let now = 0;
    let calls = 0;
    let fail = false;
    metrics.watchActiveSessions(
      () => {
        calls++;
        return fail ? Promise.reject(new Error('database down')) : Promise.resolve(calls * 10);
      },
      () => now,
    );
    expect(await seriesOf(metrics, 'auth_active_sessions')).toEqual(['auth_active_sessions 10']);
    now = 9_999;
    expect(await seriesOf(metrics, 'auth_active_sessions')).toEqual(['auth_active_sessions 10']);
    expect(calls).toBe(1);
    now = 10_000;
    fail = true;
    expect(await seriesOf(metrics, 'auth_active_sessions')).toEqual(['auth_active_sessions 10']);
    fail = false;
    expect(await seriesOf(metrics, 'auth_active_sessions')).toEqual(['auth_active_sessions 30']);
  });

  it('should collect the process metrics only when serving', async () => {
    expect(await new Metrics().registry.metrics()).not.toContain('process_cpu_seconds_total');
    expect(await new Metrics({ serving: true }).registry.metrics()).toContain('process_cpu_seconds_total');
  });
});
