import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jest } from '@jest/globals';
import request from 'supertest';
import { AfterResponse } from '../../src/common/after-response.js';
import { ACCEPTED } from '../../src/users/account-mail.controller.js';
import { createTestApp, httpServer } from '../support/app.js';
import { sleep, tokenFor } from '../support/session-client.js';
import { startSmtp, type ReceivedMail, type TestSmtp } from '../support/smtp.js';

jest.setTimeout(60_000);

const PASSWORD = 'correct horse battery staple';

/** The header names of a raw message, in order (continuation lines folded into theirs). */
function headerNames(raw: string): string[] {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
  return head
    .split('\r\n')
    .filter((line) => !/^[ \t]/.test(line))
    .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
}

/** What a raw message must look like whatever address it went to: one recipient, nothing added. */
function expectNoInjectedHeader(mail: ReceivedMail, to: string): void {
  expect(mail.rcptTo).toEqual([to]);
  const names = headerNames(mail.raw);
  expect(names.filter((name) => name === 'to')).toHaveLength(1);
  expect(names).not.toContain('bcc');
  expect(names).not.toContain('cc');
  expect(names).not.toContain('reply-to');
  expect(names.filter((name) => name === 'subject')).toHaveLength(1);
  expect(names.filter((name) => name === 'from')).toHaveLength(1);
  expect(mail.raw).not.toMatch(/eve@evil\.example/i);
}

/**
 * Header injection (issue 25): every value a user supplies that can reach a mail (an address, an
 * account name) is refused with 400 or cannot change the message's headers or recipients. Checked
 * at the HTTP level and in the raw message the SMTP server received.
 */
describe('Header injection through the values that reach a mail', () => {
  let smtp: TestSmtp;
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let admin: string;
  let id: number;

  beforeAll(async () => {
    smtp = await startSmtp();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    process.env.PUBLIC_URL = 'https://auth.example.test';
    app = await createTestApp();
    server = httpServer(app);
    admin = await tokenFor(server, 'admin', '1234');
    const created = await request(server)
      .post('/admin/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'ivy', password: PASSWORD })
      .expect(201);
    id = (created.body as { id: number }).id;
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
    delete process.env.SMTP_URL;
    delete process.env.PUBLIC_URL;
  });

  const refused: [string, unknown][] = [
    ['CR/LF and a Bcc header', 'ivy@example.com\r\nBcc: eve@evil.example'],
    ['a bare LF', 'ivy@example.com\nBcc: eve@evil.example'],
    ['a bare CR', 'ivy@example.com\rBcc: eve@evil.example'],
    ['CR/LF then a body', 'ivy@example.com\r\n\r\nHello'],
    ['a NUL byte', 'ivy@example.com\u0000eve@evil.example'],
    ['a Unicode line separator', 'ivy@example.com\u2028Bcc: eve@evil.example'],
    ['a next-line character', 'ivy@example.com\u0085Bcc: eve@evil.example'],
    ['percent-encoded CR/LF', 'ivy@example.com%0d%0aBcc:eve@evil.example'],
    ['a comma list', 'ivy@example.com, eve@evil.example'],
    ['a comma list without space', 'ivy@example.com,eve@evil.example'],
    ['a semicolon list', 'ivy@example.com;eve@evil.example'],
    ['a display name', 'Ivy <ivy@example.com>'],
    ['a quoted display name', '"Ivy" <ivy@example.com>'],
    ['an encoded-word display name', '=?utf-8?b?SXZ5?= <ivy@example.com>'],
    ['an encoded word hiding an address', '=?utf-8?q?eve=40evil.example?= <ivy@example.com>'],
    ['a group', 'friends: ivy@example.com, eve@evil.example;'],
    ['a comment', 'ivy@example.com (eve@evil.example)'],
    ['a quoted local part', '"ivy\\r\\nBcc: eve"@example.com'],
    ['a route', '@evil.example:ivy@example.com'],
    ['two at signs', 'ivy@eve@evil.example'],
    ['a 255-byte address', `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example`],
    ['a 65-byte local part', `${'a'.repeat(65)}@example.com`],
    ['a 10 kB value', `${'a'.repeat(10_000)}@example.com`],
    ['a list as an array', ['ivy@example.com', 'eve@evil.example']],
    ['an object', { address: 'ivy@example.com' }],
  ];

  it.each(refused)('should refuse %s in POST /password/forgot with 400', async (_, email) => {
    const response = await request(server).post('/password/forgot').send({ email }).expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect((response.body as { message: string }).message).toMatch(/^email must /);
    expect(JSON.stringify(response.body)).not.toContain('evil.example');
  });

  it.each(refused)('should refuse %s as an account address (admin API) with 400', async (_, email) => {
    const before = smtp.received.length;
    const created = await request(server)
      .post('/admin/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'mallory', password: PASSWORD, email })
      .expect(400);
    expect((created.body as { message: string }).message).toMatch(/^email must /);
    const patched = await request(server)
      .patch(`/admin/users/${id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ email })
      .expect(400);
    expect((patched.body as { message: string }).message).toMatch(/^email must /);
    await sleep(100);
    expect(smtp.received).toHaveLength(before);
  });

  it('should refuse CR/LF in an account name, so no name can carry a header into a mail', async () => {
    await request(server)
      .post('/admin/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'ivy\r\nBcc: eve@evil.example', password: PASSWORD, email: 'x@example.com' })
      .expect(400);
    // A name is only looked up by the resend route: an unknown one gets the usual answer, no mail.
    const before = smtp.received.length;
    await request(server)
      .post('/email/verify/resend')
      .send({ name: 'ivy\r\nBcc: eve@evil.example' })
      .expect(202, ACCEPTED);
    await request(server)
      .post('/email/verify/resend')
      .send({ name: 'x'.repeat(65) })
      .expect(400);
    await app.get(AfterResponse).settled();
    await sleep(500);
    expect(smtp.received).toHaveLength(before);
  });

  it.each([
    ['encoded-word look-alike local part', '=?utf-8?q?eve=0D=0ABcc=3A_eve?=@example.com'],
    ['HTML-special characters', "o'neil&co+<tag>@example.com".replace('<tag>', 'tag')],
    ['a 254-byte address', `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(58)}.example`],
  ])('should deliver to an unusual but valid address (%s) with no header added', async (_, email) => {
    expect(Buffer.byteLength(email)).toBeLessThanOrEqual(254);
    const before = smtp.received.length;
    await request(server)
      .patch(`/admin/users/${id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ email })
      .expect(200);
    const mail = await smtp.waitFor(before + 1);
    const received = smtp.received[before];
    expectNoInjectedHeader(
      received,
      email.replace(/@(.*)$/, (domain: string) => domain.toLowerCase()),
    );
    expect(mail.subject).toBe('Confirm your email address');
    // The address is a header value only: no body quotes it, so nothing of it reaches the HTML
    // unescaped (every value composeMail puts in the HTML is escaped: outbox-worker unit test).
    expect(mail.html).not.toContain(email);
    expect(mail.html).not.toMatch(/<(?!\/?(?:html|body|p|a)\b|!doctype)/i);
    // Following its link verifies the address as typed.
    const token = /#token=([A-Za-z0-9_-]+)/.exec(mail.text ?? '')![1];
    await request(server).post('/email/verify').send({ token }).expect(204);
    await request(server).post('/password/forgot').send({ email }).expect(202, ACCEPTED);
    const reset = await smtp.waitFor(before + 2);
    expect(reset.subject).toBe('Reset your password');
    expectNoInjectedHeader(smtp.received[before + 1], received.rcptTo[0]);
  });
});
