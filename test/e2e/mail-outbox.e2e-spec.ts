import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jest } from '@jest/globals';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { OPERATOR } from '../../src/common/request-context/actor.js';
import { AuditLog } from '../../src/logging/audit.js';
import { composeMail } from '../../src/mail/mail-content.js';
import { Mailer } from '../../src/mail/mailer.js';
import { OutboxMessageEntity } from '../../src/mail/outbox-message.entity.js';
import { Outbox } from '../../src/mail/outbox.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { ACCEPTED } from '../../src/users/account-mail.controller.js';
import { createTestApp, httpServer } from '../support/app.js';
import { usingPostgres } from '../support/postgres.js';
import { sleep, tokenFor } from '../support/session-client.js';
import { freePort, startSmtp, type TestSmtp } from '../support/smtp.js';

jest.setTimeout(60_000);

/** A counter of the app's registry (the mail metrics are registered once its worker exists). */
async function counter(app: NestFastifyApplication, name: string): Promise<number> {
  const metric = app.get(Metrics).registry.getSingleMetric(name);
  return metric === undefined ? 0 : ((await metric.get()).values[0]?.value ?? 0);
}

/** Waits until `done()` holds, or fails after `ms`. */
async function until(what: string, done: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(50);
  }
}

/** Queues one mail in a change's transaction, as a flow does; `fail` rolls the change back. */
async function queueMail(app: NestFastifyApplication, to: string, fail = false): Promise<void> {
  const mailer = app.get(Mailer);
  await app.get(AuditLog).change(OPERATOR, async (transaction) => {
    await mailer.enqueue(
      transaction,
      composeMail(to, 'Test mail', ['Hello <you>'], { label: 'Open', url: 'http://localhost:3000/x' }),
    );
    if (fail) {
      throw new Error('the change fails after queueing its mail');
    }
  });
  mailer.committed();
}

describe('The mail outbox over a real SMTP server', () => {
  let smtp: TestSmtp | undefined;
  let app: NestFastifyApplication | undefined;

  afterEach(async () => {
    await app?.close();
    await smtp?.close();
    app = smtp = undefined;
    delete process.env.SMTP_URL;
  });

  it('should deliver a queued mail once, with both bodies, the HTML escaped', async () => {
    smtp = await startSmtp();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    app = await createTestApp();
    await queueMail(app, 'alice@example.com');
    const mail = await smtp.waitFor(1);
    expect(mail.to).toMatchObject({ text: 'alice@example.com' });
    expect(mail.from).toMatchObject({ text: 'no-reply@localhost' });
    expect(mail.subject).toBe('Test mail');
    expect(mail.text).toContain('Hello <you>');
    expect(mail.html).toContain('Hello &lt;you&gt;');
    await sleep(1_500);
    expect(smtp.messages).toHaveLength(1);
    await expect(app.get(Outbox).depth()).resolves.toBe(0);
  });

  it('should queue nothing when the change rolls back', async () => {
    smtp = await startSmtp();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    app = await createTestApp();
    await expect(queueMail(app, 'bob@example.com', true)).rejects.toThrow('the change fails');
    await sleep(1_500);
    expect(smtp.messages).toHaveLength(0);
    await expect(app.get(Outbox).depth()).resolves.toBe(0);
  });

  it('should keep the mail while the SMTP server is down and deliver it once when it is back', async () => {
    const port = await freePort();
    process.env.SMTP_URL = `smtp://127.0.0.1:${port}`;
    app = await createTestApp();
    await queueMail(app, 'carol@example.com');
    // Refused connections: tried at once, then 1 s and 2 s later.
    await sleep(2_500);
    await expect(app.get(Outbox).depth()).resolves.toBe(1);
    smtp = await startSmtp(port);
    const mail = await smtp.waitFor(1, 20_000);
    expect(mail.to).toMatchObject({ text: 'carol@example.com' });
    await sleep(2_000);
    expect(smtp.messages).toHaveLength(1);
    await expect(app.get(Outbox).depth()).resolves.toBe(0);
  });

  it('should give up on a mail the server refuses with 5xx after 3 answers, recording why', async () => {
    smtp = await startSmtp(0, { reject: (to) => (to.startsWith('bounce') ? 550 : undefined) });
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    app = await createTestApp();
    await queueMail(app, 'bounce@example.com');
    // Refused at once, then 1 s and 2 s later: the third 5xx gives up.
    await until('three refusals', () => smtp!.refused.length >= 3);
    // Were it tried again, the next try would come 4 s after the third.
    await sleep(5_000);
    expect(smtp.refused).toEqual(['bounce@example.com', 'bounce@example.com', 'bounce@example.com']);
    expect(smtp.messages).toHaveLength(0);
    // On PostgreSQL the tests of this file share one database: this test's row only.
    const rows = await app
      .get(DataSource)
      .getRepository(OutboxMessageEntity)
      .findBy({ recipient: 'bounce@example.com' });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', attempts: 3, rejections: 3, sentAt: null });
    expect(rows[0].lastError).toMatch(/^rejected: 550\b/);
    expect(await counter(app, 'mail_failed_total')).toBe(1);
    expect(await counter(app, 'mail_retried_total')).toBe(2);
    expect(await counter(app, 'mail_sent_total')).toBe(0);
    await expect(app.get(Outbox).depth()).resolves.toBe(0);
  });

  // Several instances share a database only on PostgreSQL (SQLite is one instance, docs/scaling.md).
  (usingPostgres() ? it : it.skip)(
    'should send each mail once with two instances on one PostgreSQL',
    async () => {
      smtp = await startSmtp();
      process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
      app = await createTestApp();
      const second = await createTestApp();
      try {
        const recipients = Array.from({ length: 20 }, (_, index) => `user${index}@example.com`);
        await Promise.all(recipients.map((to, index) => queueMail(index % 2 === 0 ? app! : second, to)));
        await smtp.waitFor(20, 30_000);
        await sleep(2_000);
        expect(smtp.messages.map((mail) => (mail.to as { text: string }).text).sort()).toEqual(
          [...recipients].sort(),
        );
      } finally {
        await second.close();
      }
    },
  );

  // Issue 25: three instances on one PostgreSQL, 50 password resets asked across them, each
  // delivered once. Several instances share a database only on PostgreSQL (docs/scaling.md).
  (usingPostgres() ? it : it.skip)(
    'should deliver 50 password resets asked across three instances on one PostgreSQL exactly once each',
    async () => {
      smtp = await startSmtp();
      process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
      process.env.PUBLIC_URL = 'https://auth.example.test';
      // Every instance looks at the outbox each second besides its own kicks: the most contention.
      process.env.MAIL_POLL_INTERVAL = '1';
      const apps = [await createTestApp(), await createTestApp(), await createTestApp()];
      app = apps[0];
      try {
        const servers = apps.map((instance) => httpServer(instance));
        const admin = await tokenFor(servers[0], 'admin', '1234');
        const recipients = Array.from({ length: 50 }, (_, index) => `reset${index}@example.com`);
        // The accounts, their addresses verified through their mailed links.
        for (const [index, email] of recipients.entries()) {
          await request(servers[index % 3])
            .post('/admin/users')
            .set('Authorization', `Bearer ${admin}`)
            .send({ name: `reset${index}`, password: 'correct horse battery staple', email })
            .expect(201);
        }
        await smtp.waitFor(50, 30_000);
        for (const [index, mail] of smtp.messages.entries()) {
          const token = /#token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')![1];
          await request(servers[index % 3])
            .post('/email/verify')
            .send({ token })
            .expect(204);
        }
        const resetsOf = () => smtp!.messages.filter((mail) => mail.subject === 'Reset your password');
        // 50 resets asked at once, spread over the three instances.
        const answers = await Promise.all(
          recipients.map((email, index) =>
            request(servers[(index + 1) % 3])
              .post('/password/forgot')
              .send({ email }),
          ),
        );
        for (const answer of answers) {
          expect({ status: answer.status, body: answer.body as unknown }).toEqual({
            status: 202,
            body: ACCEPTED,
          });
        }
        await until('50 reset mails', () => resetsOf().length >= 50, 40_000);
        // Time for a duplicate to show: past every instance's next poll.
        await sleep(3_000);
        const resets = resetsOf();
        expect(resets.map((mail) => (mail.to as { text: string }).text).sort()).toEqual(
          [...recipients].sort(),
        );
        const tokens = resets.map(
          (mail) => /reset-password#token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')![1],
        );
        expect(new Set(tokens).size).toBe(50);
        // The raw deliveries too: 50 verifications and 50 resets, one envelope recipient each.
        expect(smtp.received).toHaveLength(100);
        expect(smtp.received.every((mail) => mail.rcptTo.length === 1)).toBe(true);
        const rows = (await app.get(DataSource).getRepository(OutboxMessageEntity).find()).filter((row) =>
          recipients.includes(row.recipient),
        );
        expect(rows).toHaveLength(100);
        expect(rows.every((row) => row.status === 'sent' && row.attempts === 1)).toBe(true);
        // One of the tokens works (the mail is the real one, not a copy of another's).
        await request(servers[2])
          .post('/password/reset')
          .send({ token: tokens[0], newPassword: 'a brand new passphrase' })
          .expect(204);
      } finally {
        await apps[1].close();
        await apps[2].close();
        delete process.env.PUBLIC_URL;
        delete process.env.MAIL_POLL_INTERVAL;
      }
    },
    120_000,
  );

  it('should write .eml files under DATA_DIR/outbox without SMTP_URL outside production', async () => {
    app = await createTestApp();
    await queueMail(app, 'dave@example.com');
    const dir = join(process.env.DATA_DIR!, 'outbox');
    const deadline = Date.now() + 10_000;
    while (!(existsSync(dir) && readdirSync(dir).length > 0) && Date.now() < deadline) {
      await sleep(50);
    }
    const files = readdirSync(dir).filter((file) => file.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const eml = readFileSync(join(dir, files[0]), 'utf8');
    expect(eml).toMatch(/^To: dave@example\.com$/m);
    expect(eml).toMatch(/^Subject: Test mail$/m);
  });
});
