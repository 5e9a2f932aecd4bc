import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jest } from '@jest/globals';
import { OPERATOR } from '../../src/common/request-context/actor.js';
import { AuditLog } from '../../src/logging/audit.js';
import { composeMail } from '../../src/mail/mail-content.js';
import { Mailer } from '../../src/mail/mailer.js';
import { Outbox } from '../../src/mail/outbox.js';
import { createTestApp } from '../support/app.js';
import { usingPostgres } from '../support/postgres.js';
import { sleep } from '../support/session-client.js';
import { freePort, startSmtp, type TestSmtp } from '../support/smtp.js';

jest.setTimeout(60_000);

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
