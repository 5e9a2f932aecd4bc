import { performance } from 'node:perf_hooks';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createTestApp, httpServer } from '../support/app.js';
import { INVALID_CREDENTIALS_BODY } from '../support/expected.js';
import { sleep, tokenFor } from '../support/session-client.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { ACCEPTED } from '../../src/users/account-mail.controller.js';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/**
 * An unknown name and a wrong password must cost the same: without the dummy argon2 verify an
 * unknown name answers in about 1 ms and a wrong password in about 45 ms, a 40x difference. The
 * samples are interleaved so machine noise hits both alike, and medians are compared with a
 * generous margin: this catches a missing hash, not microseconds.
 */
describe('POST /login timing', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
  });

  afterAll(() => app.close());

  async function timed(name: string): Promise<number> {
    const started = performance.now();
    const response = await request(server).post('/login').send({ name, password: 'not the password' });
    const elapsed = performance.now() - started;
    expect(response.status).toBe(400);
    expect(response.body).toEqual(INVALID_CREDENTIALS_BODY);
    return elapsed;
  }

  it('should take as long for an unknown name as for a wrong password', async () => {
    await timed('admin'); // warm-up: JIT, argon2 thread pool
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 20; i++) {
      unknown.push(await timed(`nobody-${i}`));
      wrong.push(await timed('admin'));
    }
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
  }, 60_000);
});

/**
 * The public mail routes answer the same for a known verified address (or an account with an
 * unverified one), a known unverified address and an unknown one (issue 25: no enumeration by
 * time). Issuing the token and queueing the mail are a known target's extra work: they must not
 * lengthen its answer. The requests are spaced so that the mail sent for one does not slow the next.
 */
describe('POST /password/forgot and /email/verify/resend timing', () => {
  let smtp: TestSmtp;
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;

  beforeAll(async () => {
    smtp = await startSmtp();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    process.env.PUBLIC_URL = 'https://auth.example.test';
    // Each known target is asked for many times here: the per-target limit is another test's.
    process.env.MAIL_TARGET_LIMIT = '1000';
    app = await createTestApp();
    server = httpServer(app);
    const admin = await tokenFor(server, 'admin', '1234');
    for (const name of ['verified', 'unverified']) {
      await request(server)
        .post('/admin/users')
        .set('Authorization', `Bearer ${admin}`)
        .send({ name, password: 'correct horse battery staple', email: `${name}@example.com` })
        .expect(201);
    }
    const mail = await smtp.waitFor(2);
    const first = mail.to as { text: string };
    const verification = first.text === 'verified@example.com' ? mail : smtp.messages[0];
    const token = /#token=([A-Za-z0-9_-]+)/.exec(verification.text ?? '')![1];
    await request(server).post('/email/verify').send({ token }).expect(204);
  }, 30_000);

  afterAll(async () => {
    await app.close();
    await smtp.close();
    delete process.env.SMTP_URL;
    delete process.env.PUBLIC_URL;
    delete process.env.MAIL_TARGET_LIMIT;
  });

  async function timed(path: string, body: Record<string, string>): Promise<number> {
    await sleep(40);
    const started = performance.now();
    const response = await request(server).post(path).send(body);
    const elapsed = performance.now() - started;
    expect(response.status).toBe(202);
    expect(response.body).toEqual(ACCEPTED);
    return elapsed;
  }

  /** Ratios of each case's median time to the first case's, sampled interleaved. */
  async function ratios(path: string, bodies: Record<string, string>[]): Promise<number[]> {
    for (const body of bodies) {
      await timed(path, body); // warm-up
    }
    const samples = bodies.map((): number[] => []);
    for (let i = 0; i < 25; i++) {
      for (const [index, body] of bodies.entries()) {
        samples[index].push(await timed(path, body));
      }
    }
    const medians = samples.map(median);
    return medians.map((value) => value / medians[0]);
  }

  it('should take as long for an unknown address as for a known verified or unverified one', async () => {
    const [, verified, unverified] = await ratios('/password/forgot', [
      { email: 'nobody@example.com' },
      { email: 'verified@example.com' },
      { email: 'unverified@example.com' },
    ]);
    // The known verified address was mailed each time (the work whose time is in question).
    expect(smtp.messages.filter((mail) => mail.subject === 'Reset your password').length).toBeGreaterThan(20);
    for (const ratio of [verified, unverified]) {
      expect(ratio).toBeGreaterThan(0.6);
      expect(ratio).toBeLessThan(1.6);
    }
  }, 60_000);

  it('should take as long for an unknown name as for an account awaiting verification', async () => {
    const [, unverified, verified] = await ratios('/email/verify/resend', [
      { name: 'nobody' },
      { name: 'unverified' },
      { name: 'verified' },
    ]);
    for (const ratio of [unverified, verified]) {
      expect(ratio).toBeGreaterThan(0.6);
      expect(ratio).toBeLessThan(1.6);
    }
  }, 60_000);
});
