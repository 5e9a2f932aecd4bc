// A small hold, so that the hold test reaches it; each test uses its own account.
process.env.LOGIN_FAILURE_LIMIT = '3';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jest } from '@jest/globals';
import type { ParsedMail } from 'mailparser';
import { Secret } from 'otpauth';
import request from 'supertest';
import { MfaService } from '../../src/mfa/mfa.service.js';
import { codeForStep, stepAt } from '../../src/mfa/totp.js';
import { ACCEPTED } from '../../src/users/account-mail.controller.js';
import { DEMO_ADMIN } from '../../src/users/admin-seeder.service.js';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody } from '../support/expected.js';
import { postLogin, sleep, tokenFor } from '../support/session-client.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';

jest.setTimeout(90_000);

const PASSWORD = 'correct horse battery staple';
const WRONG = 'not the password';
const PUBLIC_URL = 'https://auth.example.test';
const WRONG_CURRENT = errorBody(400, 'Bad Request', 'currentPassword is wrong');
const BAD_TOKEN = errorBody(400, 'Bad Request', 'token is invalid or expired');
const EMAIL_TAKEN = errorBody(409, 'Conflict', 'email is already verified by another account');

interface AuditItem {
  event: string;
  userId: number | null;
  details: Record<string, unknown>;
}

/** The token of the `page` link in a delivered mail (its text body). */
function tokenIn(mail: ParsedMail, page: 'verify-email' | 'reset-password'): string {
  const match = new RegExp(`${PUBLIC_URL}/${page}#token=([A-Za-z0-9_-]+)`).exec(mail.text ?? '');
  if (match === null) {
    throw new Error(`no ${page} link in the mail`);
  }
  return match[1];
}

/** The one recipient of a delivered mail, as the SMTP server received it. */
const recipient = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text;

/** A notice carries no link, no token and nothing secret: fixed text only. */
function expectNotice(mail: ParsedMail, to: string, subject: string) {
  expect({ to: recipient(mail), subject: mail.subject }).toEqual({ to, subject });
  expect(mail.text).not.toMatch(/token|https?:\/\//i);
  expect(mail.html).not.toMatch(/token|href/i);
}

describe('Email change and notices over a real SMTP server', () => {
  let smtp: TestSmtp;
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let admin: string;
  let serial = 0;

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  /** The first mail from the `from`th on to `to` (and with `subject`, if given), as it arrives. */
  async function mailTo(to: string, from: number, subject?: string): Promise<ParsedMail> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const found = smtp.messages
        .slice(from)
        .find(
          (mail) =>
            recipient(mail)?.toLowerCase() === to.toLowerCase() &&
            (subject === undefined || mail.subject === subject),
        );
      if (found !== undefined) {
        return found;
      }
      if (Date.now() > deadline) {
        throw new Error(`no mail to ${to} (${subject ?? 'any subject'}) within 15 s`);
      }
      await sleep(50);
    }
  }
  /** Asserts that no mail from the `from`th on goes to `to` (the worker delivers within a second or so). */
  const expectNoMailTo = async (to: string, from: number, wait = 1_500) => {
    await sleep(wait);
    const to_ = to.toLowerCase();
    expect(
      smtp.messages
        .slice(from)
        .filter((mail) => recipient(mail)?.toLowerCase() === to_)
        .map((mail) => mail.subject),
    ).toEqual([]);
  };
  const CONFIRM = 'Confirm your email address';

  /** A fresh account, with `email` verified through its link unless `verified` is false. */
  async function newUser(email?: string, { verified = true } = {}) {
    const name = `change-${++serial}`;
    const before = smtp.messages.length;
    const created = await request(server)
      .post('/admin/users')
      .set(bearer(admin))
      .send(email === undefined ? { name, password: PASSWORD } : { name, password: PASSWORD, email })
      .expect(201);
    if (email !== undefined) {
      const link = await mailTo(email, before, CONFIRM);
      if (verified) {
        await request(server)
          .post('/email/verify')
          .send({ token: tokenIn(link, 'verify-email') })
          .expect(204);
      }
    }
    const id = (created.body as { id: number }).id;
    return { id, name, token: await tokenFor(server, name, PASSWORD) };
  }

  const change = (token: string, body: object) =>
    request(server).post('/user/email').set(bearer(token)).send(body);
  const emailOf = async (token: string) =>
    (await request(server).get('/user/email').set(bearer(token)).expect(200)).body as unknown;

  async function auditOf(event: string, user: number): Promise<AuditItem[]> {
    const response = await request(server)
      .get(`/admin/audit?event=${event}&user=${user}`)
      .set(bearer(admin))
      .expect(200);
    return (response.body as { items: AuditItem[] }).items;
  }

  beforeAll(async () => {
    smtp = await startSmtp();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    process.env.PUBLIC_URL = PUBLIC_URL;
    app = await createTestApp();
    server = httpServer(app);
    admin = await tokenFor(server, DEMO_ADMIN.name, DEMO_ADMIN.password);
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
    delete process.env.SMTP_URL;
    delete process.env.PUBLIC_URL;
  });

  describe('POST /user/email', () => {
    it('should require authentication', () =>
      request(server)
        .post('/user/email')
        .send({ email: 'x@example.com', currentPassword: PASSWORD })
        .expect(401)
        .expect('www-authenticate', /^Bearer/));

    it('should mail a link to the new address, keep the old one until it is followed, then switch and tell the old one', async () => {
      const { id, token } = await newUser('old-1@example.com');
      const before = smtp.messages.length;
      const answer = await change(token, { email: 'New-1@Example.com', currentPassword: PASSWORD })
        .expect(202)
        .expect('cache-control', 'no-store');
      expect(answer.body).toEqual({
        email: 'old-1@example.com',
        verified: true,
        pending: 'New-1@Example.com',
      });
      expect(await emailOf(token)).toEqual({
        email: 'old-1@example.com',
        verified: true,
        pending: 'New-1@Example.com',
      });

      const link = await mailTo('New-1@example.com', before, CONFIRM);
      // nodemailer writes the domain in lower case; the address is kept as typed.
      expect(recipient(link)).toBe('New-1@example.com');
      // Until the link is followed, the new address is not the account's: no reset link goes there.
      await request(server)
        .post('/password/forgot')
        .send({ email: 'new-1@example.com' })
        .expect(202, ACCEPTED);
      await expectNoMailTo('new-1@example.com', before + 1);
      await expectNoMailTo('old-1@example.com', before, 0);

      await request(server)
        .post('/email/verify')
        .send({ token: tokenIn(link, 'verify-email') })
        .expect(204);
      const notice = await mailTo('old-1@example.com', before);
      expectNotice(notice, 'old-1@example.com', 'Your email address was changed');
      expect(notice.text).not.toMatch(/new-1/i);
      expect(await emailOf(token)).toEqual({ email: 'New-1@Example.com', verified: true, pending: null });
      await request(server)
        .post('/email/verify')
        .send({ token: tokenIn(link, 'verify-email') })
        .expect(400, BAD_TOKEN);

      // The new address is the account's now: a reset goes there, the old one gets nothing more.
      const resets = smtp.messages.length;
      await request(server)
        .post('/password/forgot')
        .send({ email: 'old-1@example.com' })
        .expect(202, ACCEPTED);
      await request(server)
        .post('/password/forgot')
        .send({ email: 'NEW-1@example.com' })
        .expect(202, ACCEPTED);
      await mailTo('new-1@example.com', resets, 'Reset your password');
      await expectNoMailTo('old-1@example.com', resets);

      expect((await auditOf('email.change.requested', id)).map((item) => item.details)).toEqual([
        expect.objectContaining({ current: false }),
      ]);
      expect(await auditOf('email.changed', id)).toHaveLength(1);
    });

    it('should give an account with no address one once the link is followed, with no notice', async () => {
      const { token } = await newUser();
      const before = smtp.messages.length;
      await change(token, { email: 'first-2@example.com', currentPassword: PASSWORD }).expect(202, {
        email: null,
        verified: false,
        pending: 'first-2@example.com',
      });
      const link = await mailTo('first-2@example.com', before, CONFIRM);
      await request(server)
        .post('/email/verify')
        .send({ token: tokenIn(link, 'verify-email') })
        .expect(204);
      expect(await emailOf(token)).toEqual({ email: 'first-2@example.com', verified: true, pending: null });
      await expectNoMailTo('first-2@example.com', before + 1);
    });

    it('should let a second request replace the pending address: the first link then verifies nothing', async () => {
      const { token } = await newUser('old-3@example.com');
      const before = smtp.messages.length;
      await change(token, { email: 'first-3@example.com', currentPassword: PASSWORD }).expect(202);
      const first = await mailTo('first-3@example.com', before, CONFIRM);
      await change(token, { email: 'second-3@example.com', currentPassword: PASSWORD }).expect(202);
      const second = await mailTo('second-3@example.com', before, CONFIRM);
      await request(server)
        .post('/email/verify')
        .send({ token: tokenIn(first, 'verify-email') })
        .expect(400, BAD_TOKEN);
      expect(await emailOf(token)).toEqual({
        email: 'old-3@example.com',
        verified: true,
        pending: 'second-3@example.com',
      });
      await request(server)
        .post('/email/verify')
        .send({ token: tokenIn(second, 'verify-email') })
        .expect(204);
      expect(await emailOf(token)).toEqual({ email: 'second-3@example.com', verified: true, pending: null });
    });

    it('should drop the pending change when asked for the address the account has verified', async () => {
      const { token } = await newUser('same-4@example.com');
      const before = smtp.messages.length;
      await change(token, { email: 'other-4@example.com', currentPassword: PASSWORD }).expect(202);
      await mailTo('other-4@example.com', before, CONFIRM);
      await change(token, { email: 'same-4@example.com', currentPassword: PASSWORD }).expect(202, {
        email: 'same-4@example.com',
        verified: true,
        pending: null,
      });
      expect(await emailOf(token)).toEqual({ email: 'same-4@example.com', verified: true, pending: null });
      await expectNoMailTo('same-4@example.com', before);
    });

    it('should answer alike whether or not another account has the address, and refuse its confirmation with 409', async () => {
      await newUser('taken-5@example.com');
      const free = await newUser('a-5@example.com');
      const taker = await newUser('b-5@example.com');
      const before = smtp.messages.length;
      const toFree = await change(free.token, { email: 'free-5@example.com', currentPassword: PASSWORD });
      const toTaken = await change(taker.token, { email: 'taken-5@example.com', currentPassword: PASSWORD });
      const shape = (response: request.Response) => ({
        status: response.status,
        body: { ...(response.body as object), email: 'x', pending: 'y' },
        keys: Object.keys(response.body as object),
      });
      expect(shape(toTaken)).toEqual(shape(toFree));
      expect(toTaken.status).toBe(202);
      await mailTo('free-5@example.com', before, CONFIRM);
      const link = await mailTo('taken-5@example.com', before, CONFIRM);
      await request(server)
        .post('/email/verify')
        .send({ token: tokenIn(link, 'verify-email') })
        .expect(409, EMAIL_TAKEN);
      expect(await emailOf(taker.token)).toEqual({
        email: 'b-5@example.com',
        verified: true,
        pending: 'taken-5@example.com',
      });
      await expectNoMailTo('b-5@example.com', before);
    });

    it('should refuse the confirmation with 409 when another account verified the address meanwhile', async () => {
      const changer = await newUser('c-6@example.com');
      const before = smtp.messages.length;
      await change(changer.token, { email: 'race-6@example.com', currentPassword: PASSWORD }).expect(202);
      const link = await mailTo('race-6@example.com', before, CONFIRM);
      await newUser('race-6@example.com');
      await request(server)
        .post('/email/verify')
        .send({ token: tokenIn(link, 'verify-email') })
        .expect(409, EMAIL_TAKEN);
      expect(await emailOf(changer.token)).toEqual({
        email: 'c-6@example.com',
        verified: true,
        pending: 'race-6@example.com',
      });
    });

    it('should refuse a wrong currentPassword as PUT /user/password does (400), counting toward the hold', async () => {
      const { id, name, token } = await newUser('held-7@example.com');
      const before = smtp.messages.length;
      await request(server)
        .put('/user/password')
        .set(bearer(token))
        .send({ currentPassword: WRONG, newPassword: 'a new passphrase' })
        .expect(400, WRONG_CURRENT);
      await change(token, { email: 'thief-7@example.com', currentPassword: WRONG }).expect(
        400,
        WRONG_CURRENT,
      );
      await change(token, { email: 'thief-7@example.com', currentPassword: WRONG }).expect(
        400,
        WRONG_CURRENT,
      );
      // LOGIN_FAILURE_LIMIT (3) reached: the right password is held back here and at login.
      await change(token, { email: 'thief-7@example.com', currentPassword: PASSWORD })
        .expect(429)
        .expect('retry-after', /^\d+$/);
      await postLogin(server, name, PASSWORD).expect(429);
      expect(await emailOf(token)).toEqual({ email: 'held-7@example.com', verified: true, pending: null });
      const failures = await request(server)
        .get('/admin/audit?event=password.check_failed')
        .set(bearer(admin))
        .expect(200);
      expect(
        (failures.body as { items: AuditItem[] }).items
          .filter((item) => item.details.name === name)
          .map((item) => item.details.check)
          .sort(),
      ).toEqual(['email_change', 'email_change', 'password_change']);
      expect(await auditOf('email.change.requested', id)).toEqual([]);
      await expectNoMailTo('thief-7@example.com', before);
    });

    it.each([
      [
        'a line break (header injection)',
        { email: 'eve@example.com\r\nBcc: all@example.com', currentPassword: PASSWORD },
        'email must not contain line breaks or control characters',
      ],
      [
        'a display name',
        { email: 'Eve <eve@example.com>', currentPassword: PASSWORD },
        'email must be one address such as name@example.com (no display name, no list)',
      ],
      [
        'a list',
        { email: 'eve@example.com,bob@example.com', currentPassword: PASSWORD },
        'email must be one address such as name@example.com (no display name, no list)',
      ],
      [
        'more than 254 bytes',
        {
          email: `${'e'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(63)}.com`,
          currentPassword: PASSWORD,
        },
        'email must be at most 254 bytes',
      ],
      ['no address', { currentPassword: PASSWORD }, 'email is required'],
      ['no currentPassword', { email: 'eve@example.com' }, 'currentPassword is required'],
    ])('should refuse %s with 400, changing nothing', async (_, body, message) => {
      const address = `valid-8-${serial}@example.com`;
      const { token } = await newUser(address);
      const before = smtp.messages.length;
      await change(token, body).expect(400, errorBody(400, 'Bad Request', message));
      expect(await emailOf(token)).toEqual({ email: address, verified: true, pending: null });
      await expectNoMailTo('eve@example.com', before, 0);
    });
  });

  describe('the admin API setting an address again', () => {
    it('should keep the address the account has verified verified, with no new link; another one is unverified', async () => {
      const { id, token } = await newUser('kept-9@example.com');
      const before = smtp.messages.length;
      const same = await request(server)
        .patch(`/admin/users/${id}`)
        .set(bearer(admin))
        .send({ email: 'Kept-9@example.com' })
        .expect(200);
      expect(same.body).toMatchObject({ email: 'Kept-9@example.com', emailVerified: true });
      expect(await emailOf(token)).toEqual({ email: 'Kept-9@example.com', verified: true, pending: null });
      await expectNoMailTo('kept-9@example.com', before);
      const other = await request(server)
        .patch(`/admin/users/${id}`)
        .set(bearer(admin))
        .send({ email: 'other-9@example.com' })
        .expect(200);
      expect(other.body).toMatchObject({ email: 'other-9@example.com', emailVerified: false });
      await mailTo('other-9@example.com', before, CONFIRM);
    });

    it('should drop a pending change: its link then verifies nothing', async () => {
      const { id, token } = await newUser('admin-10@example.com');
      const before = smtp.messages.length;
      await change(token, { email: 'mine-10@example.com', currentPassword: PASSWORD }).expect(202);
      const link = await mailTo('mine-10@example.com', before, CONFIRM);
      await request(server)
        .patch(`/admin/users/${id}`)
        .set(bearer(admin))
        .send({ email: 'admin-10@example.com' })
        .expect(200);
      expect(await emailOf(token)).toEqual({ email: 'admin-10@example.com', verified: true, pending: null });
      await request(server)
        .post('/email/verify')
        .send({ token: tokenIn(link, 'verify-email') })
        .expect(400, BAD_TOKEN);
    });
  });

  describe('notices to the verified address', () => {
    async function turnTotpOn(token: string) {
      const started = await request(server)
        .post('/user/mfa/totp')
        .set(bearer(token))
        .send({ currentPassword: PASSWORD })
        .expect(200);
      const secret = Buffer.from(Secret.fromBase32((started.body as { secret: string }).secret).bytes);
      await request(server)
        .post('/user/mfa/totp/confirm')
        .set(bearer(token))
        .send({ code: codeForStep(secret, stepAt(Date.now())) })
        .expect(200);
    }
    const ON = 'Two-factor sign-in was turned on';
    const OFF = 'Two-factor sign-in was turned off';

    it('should tell the owner when two-factor is turned on, and off', async () => {
      const { token } = await newUser('mfa-11@example.com');
      const before = smtp.messages.length;
      await turnTotpOn(token);
      expectNotice(await mailTo('mfa-11@example.com', before), 'mfa-11@example.com', ON);
      await request(server)
        .delete('/user/mfa/totp')
        .set(bearer(token))
        .send({ password: PASSWORD })
        .expect(204);
      expectNotice(await mailTo('mfa-11@example.com', before + 1), 'mfa-11@example.com', OFF);
      expect(smtp.messages.slice(before).map((mail) => mail.subject)).toEqual([ON, OFF]);
    });

    it("should tell the owner when an operator resets two-factor (npm run users -- mfa reset's path)", async () => {
      const { id, token } = await newUser('reset-12@example.com');
      const start = smtp.messages.length;
      await turnTotpOn(token);
      await mailTo('reset-12@example.com', start, ON);
      const before = smtp.messages.length;
      await expect(app.get(MfaService).resetTotp(id)).resolves.toMatchObject({ removed: true });
      expectNotice(await mailTo('reset-12@example.com', before), 'reset-12@example.com', OFF);
      // A reset of an account without two-factor changes nothing, and says nothing.
      await expect(app.get(MfaService).resetTotp(id)).resolves.toMatchObject({ removed: false });
      await expectNoMailTo('reset-12@example.com', before + 1);
    });

    it('should tell the owner when a passkey is added', async () => {
      const { token } = await newUser('key-13@example.com');
      const before = smtp.messages.length;
      const started = await request(server)
        .post('/user/passkeys/registration-options')
        .set(bearer(token))
        .send({ currentPassword: PASSWORD })
        .expect(200);
      const { challengeId, options } = started.body as {
        challengeId: string;
        options: Record<string, unknown>;
      };
      await request(server)
        .post('/user/passkeys')
        .set(bearer(token))
        .send({ challengeId, response: new SoftAuthenticator().register(options) })
        .expect(201);
      expectNotice(
        await mailTo('key-13@example.com', before),
        'key-13@example.com',
        'A passkey was added to your account',
      );
    });

    it('should mail nothing to an address that is not verified', async () => {
      const { token } = await newUser('unverified-14@example.com', { verified: false });
      const before = smtp.messages.length;
      await turnTotpOn(token);
      await expectNoMailTo('unverified-14@example.com', before);
    });
  });
});
