import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { AuditStore } from '../../src/audit/audit-store.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';

// Set before the app is built (loadEnv reads them then): a small per-address limit, and clients
// with addresses of their own through the trusted proxy, so that tests never share a counter.
process.env.LOGIN_RATE_LIMIT = '3';
process.env.TRUST_PROXY = '127.0.0.1,::1';

/**
 * auth_logins_total counts every login that was refused or decided, whichever check refused it:
 * the per-address limiter (before any handler runs), the account's holds, the second step, a
 * passkey. Read from the application's own registry (metrics.e2e-spec.ts scrapes it with Prometheus).
 */
describe('auth_logins_total: every refused login is an outcome', () => {
  let app: NestFastifyApplication;
  let server: import('node:http').Server;
  let nextAddress = 1;
  const address = () => `10.9.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;

  beforeAll(async () => {
    const { createTestApp, httpServer } = await import('../support/app.js');
    app = await createTestApp();
    server = httpServer(app);
  });
  afterAll(() => app.close());

  async function count(metric: string, label: string, value: string): Promise<number> {
    const values = (await app.get(Metrics).registry.getSingleMetric(metric)!.get()).values;
    return values.find((sample) => sample.labels[label] === value)?.value ?? 0;
  }
  const logins = (outcome: string) => count('auth_logins_total', 'outcome', outcome);
  const addressHolds = () => count('auth_throttle_holds_total', 'scope', 'address');

  it('should count the 3 logins the address limiter refused (3 x 429, 3 login.throttled) as throttled', async () => {
    const from = address();
    const [throttledBefore, failedBefore, holdsBefore] = [
      await logins('throttled'),
      await logins('failed'),
      await addressHolds(),
    ];
    const login = () =>
      request(server).post('/login').set('X-Forwarded-For', from).send({ name: 'nobody', password: 'wrong' });
    for (let i = 0; i < 3; i++) {
      await login().expect(400);
    }
    for (let i = 0; i < 3; i++) {
      await login().expect(429);
    }
    const events = await app.get(AuditStore).page({ event: 'login.throttled', limit: 100 });
    expect(events.items.filter((item) => item.ip === from)).toHaveLength(3);
    expect(await logins('throttled')).toBe(throttledBefore + 3);
    expect(await logins('failed')).toBe(failedBefore + 3);
    expect(await addressHolds()).toBe(holdsBefore + 3);
  });

  it.each([
    ['POST /login/mfa', '/login/mfa', { mfaToken: 'unknown', code: '123456' }],
    ['POST /login/passkey/options', '/login/passkey/options', undefined],
    ['POST /login/passkey', '/login/passkey', { challengeId: 'unknown', response: {} }],
  ])('should count a login refused by the address limiter at %s as throttled', async (_name, path, body) => {
    const from = address();
    const call = () => {
      const pending = request(server).post(path).set('X-Forwarded-For', from);
      return body === undefined ? pending : pending.send(body);
    };
    for (let i = 0; i < 3; i++) {
      expect((await call()).status).not.toBe(429);
    }
    const before = await logins('throttled');
    await call().expect(429);
    expect(await logins('throttled')).toBe(before + 1);
  });

  it('should not count a refused POST /refresh as a login', async () => {
    const from = address();
    const refresh = () =>
      request(server).post('/refresh').set('X-Forwarded-For', from).send({ refreshToken: 'x' });
    for (let i = 0; i < 3; i++) {
      await refresh().expect(401);
    }
    const before = await logins('throttled');
    await refresh().expect(429);
    expect(await logins('throttled')).toBe(before);
  });

  it('should count a refused passkey sign-in (401) as failed', async () => {
    const from = address();
    const options = await request(server)
      .post('/login/passkey/options')
      .set('X-Forwarded-For', from)
      .expect(200);
    const { challengeId, options: publicKey } = options.body as {
      challengeId: string;
      options: Record<string, unknown>;
    };
    const before = await logins('failed');
    await request(server)
      .post('/login/passkey')
      .set('X-Forwarded-For', from)
      .send({ challengeId, response: new SoftAuthenticator().authenticate(publicKey) })
      .expect(401);
    expect(await logins('failed')).toBe(before + 1);
  });
});
