import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jest } from '@jest/globals';
import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { AuditStore } from '../../src/audit/audit-store.js';
import { AfterResponse } from '../../src/common/after-response.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { ACCEPTED } from '../../src/users/account-mail.controller.js';
import { createTestApp, httpServer } from '../support/app.js';
import { deleteKeys, describeWithRedis, freshPrefix, REDIS_URL, testClient } from '../support/redis.js';
import { sleep, tokenFor } from '../support/session-client.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

jest.setTimeout(60_000);

const LIMIT = 3;
const PASSWORD = 'correct horse battery staple';

const subjectCount = (smtp: TestSmtp, subject: string, to: string) =>
  smtp.messages.filter(
    (mail: ParsedMail) => mail.subject === subject && (mail.to as { text: string }).text === to,
  ).length;

/** Every answer a client can see of a 202: status, body, and the headers that could differ. */
function answerOf(response: request.Response) {
  return {
    status: response.status,
    body: response.body as unknown,
    type: response.headers['content-type'],
    length: response.headers['content-length'],
    retryAfter: response.headers['retry-after'],
  };
}

async function startMailApp(smtp: TestSmtp): Promise<NestFastifyApplication> {
  process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
  process.env.PUBLIC_URL = 'https://auth.example.test';
  process.env.MAIL_TARGET_LIMIT = String(LIMIT);
  return createTestApp();
}

function clearMailEnv(): void {
  for (const variable of ['SMTP_URL', 'PUBLIC_URL', 'MAIL_TARGET_LIMIT', 'REDIS_URL', 'REDIS_KEY_PREFIX']) {
    delete process.env[variable];
  }
}

/** An account with `email`, verified through its mailed link when `verified`. */
async function createAccount(
  app: NestFastifyApplication,
  smtp: TestSmtp,
  name: string,
  email: string,
  verified: boolean,
): Promise<void> {
  const server = httpServer(app);
  const before = smtp.messages.length;
  await request(server)
    .post('/admin/users')
    .set('Authorization', `Bearer ${await tokenFor(server, 'admin', '1234')}`)
    .send({ name, password: PASSWORD, email })
    .expect(201);
  const mail = await smtp.waitFor(before + 1);
  if (verified) {
    const token = /#token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')![1];
    await request(server).post('/email/verify').send({ token }).expect(204);
  }
}

/**
 * The public mail routes limit the mails sent to one target (MAIL_TARGET_LIMIT an hour per
 * address and per account), whoever asks, and never say so: past the limit the answer is the
 * same 202, and no mail goes out (docs/email.md#throttling).
 */
describe('Per-target limits of the public mail routes', () => {
  let smtp: TestSmtp;
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;

  beforeAll(async () => {
    smtp = await startSmtp();
    app = await startMailApp(smtp);
    server = httpServer(app);
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
    clearMailEnv();
  });

  const mailThrottled = async (target: string) =>
    (await app.get(Metrics).registry.getSingleMetric('mail_throttled_total')!.get()).values.find(
      (sample) => sample.labels.target === target,
    )?.value ?? 0;

  it(`should mail ${LIMIT} of ${LIMIT + 1} resets asked for one address, answering all alike`, async () => {
    await createAccount(app, smtp, 'fay', 'fay@example.com', true);
    const throttledBefore = await mailThrottled('address');
    const answers = [];
    // One address however it is written: the limit counts it case-insensitively.
    for (const email of ['fay@example.com', 'FAY@example.com', 'fay@EXAMPLE.com', 'Fay@example.com']) {
      answers.push(answerOf(await request(server).post('/password/forgot').send({ email })));
    }
    expect(answers[0]).toMatchObject({ status: 202, body: ACCEPTED, retryAfter: undefined });
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    await app.get(AfterResponse).settled();
    await sleep(2_000);
    expect(subjectCount(smtp, 'Reset your password', 'fay@example.com')).toBe(LIMIT);
    expect(await mailThrottled('address')).toBe(throttledBefore + 1);
    await app.get(AuditStore).flush();
    const events = await app.get(AuditStore).page({ event: 'mail.throttled', limit: 100 });
    expect(events.items.map((item) => item.details)).toContainEqual(JSON.stringify({ target: 'address' }));
    // The trail does not hold the address (an unknown one may be anyone's).
    expect(JSON.stringify(events.items)).not.toContain('fay@example.com');
  });

  it('should answer an unknown address over its limit with the same 202', async () => {
    const answers = [];
    for (let i = 0; i <= LIMIT + 1; i++) {
      answers.push(
        answerOf(await request(server).post('/password/forgot').send({ email: 'ghost@example.com' })),
      );
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]).toMatchObject({ status: 202, body: ACCEPTED });
  });

  it(`should mail ${LIMIT} of ${LIMIT + 1} verification links resent for one account, answering all alike`, async () => {
    await createAccount(app, smtp, 'gil', 'gil@example.com', false);
    const throttledBefore = await mailThrottled('account');
    const answers = [];
    for (const name of ['gil', 'GIL', 'Gil', 'gil']) {
      answers.push(answerOf(await request(server).post('/email/verify/resend').send({ name })));
    }
    expect(answers[0]).toMatchObject({ status: 202, body: ACCEPTED });
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    await app.get(AfterResponse).settled();
    await sleep(2_000);
    // The link mailed when the address was set, and LIMIT resent ones.
    expect(subjectCount(smtp, 'Confirm your email address', 'gil@example.com')).toBe(1 + LIMIT);
    expect(await mailThrottled('account')).toBe(throttledBefore + 1);
  });
});

await describeWithRedis('Per-target limits shared through Redis by two instances', () => {
  let smtp: TestSmtp;
  let apps: NestFastifyApplication[] = [];
  const prefix = freshPrefix('mail-throttling');

  beforeAll(async () => {
    smtp = await startSmtp();
    process.env.REDIS_URL = REDIS_URL;
    process.env.REDIS_KEY_PREFIX = prefix;
    apps = [await startMailApp(smtp), await startMailApp(smtp)];
  });
  afterAll(async () => {
    for (const app of apps) {
      await app.close();
    }
    await smtp.close();
    clearMailEnv();
    const client = await testClient();
    await deleteKeys(client, prefix);
    await client.quit();
  });

  it(`should mail ${LIMIT} resets in all for ${LIMIT + 2} asked alternately of both instances`, async () => {
    // Both apps of this file share its database (SQLite file or PostgreSQL database): only the
    // count decides. Counted apart, each instance would have mailed every one of its asks.
    await createAccount(apps[0], smtp, 'hal', 'hal@example.com', true);
    for (let i = 0; i < LIMIT + 2; i++) {
      await request(httpServer(apps[i % 2]))
        .post('/password/forgot')
        .send({ email: 'hal@example.com' })
        .expect(202, ACCEPTED);
    }
    for (const app of apps) {
      await app.get(AfterResponse).settled();
    }
    await sleep(2_000);
    expect(subjectCount(smtp, 'Reset your password', 'hal@example.com')).toBe(LIMIT);
  });
});
