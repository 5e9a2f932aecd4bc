import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jest } from '@jest/globals';
import type { ParsedMail } from 'mailparser';
import { Secret } from 'otpauth';
import request from 'supertest';
import { codeForStep, stepAt } from '../../src/mfa/totp.js';
import { DataSource } from 'typeorm';
import { ACCEPTED } from '../../src/users/account-mail.controller.js';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody } from '../support/expected.js';
import { getUser, login, postLogin, sleep, tokenFor } from '../support/session-client.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';

jest.setTimeout(60_000);

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';
const PUBLIC_URL = 'https://auth.example.test';
const BAD_TOKEN = errorBody(400, 'Bad Request', 'token is invalid or expired');

/** The token of the `page` link in a delivered mail (its text body). */
function tokenIn(mail: ParsedMail, page: 'verify-email' | 'reset-password'): string {
  const match = new RegExp(`${PUBLIC_URL}/${page}#token=([A-Za-z0-9_-]+)`).exec(mail.text ?? '');
  if (match === null) {
    throw new Error(`no ${page} link in the mail`);
  }
  return match[1];
}

describe('Mail flows over a real SMTP server', () => {
  let smtp: TestSmtp;
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let admin: string;

  /** Creates an account with an address through the admin API; the verification mail it gets. */
  const createWithEmail = async (name: string, email: string) => {
    const before = smtp.messages.length;
    await request(server)
      .post('/admin/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name, password: PASSWORD, email })
      .expect(201);
    return smtp.waitFor(before + 1);
  };
  const nextMail = () => smtp.waitFor(smtp.messages.length + 1);

  beforeAll(async () => {
    smtp = await startSmtp();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    process.env.PUBLIC_URL = PUBLIC_URL;
    app = await createTestApp();
    server = httpServer(app);
    admin = await tokenFor(server, 'admin', '1234');
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
    delete process.env.SMTP_URL;
    delete process.env.PUBLIC_URL;
  });

  describe('verification', () => {
    it('should mail a PUBLIC_URL link (not the Host header) that verifies the address once', async () => {
      const mail = await createWithEmail('vera', 'Vera@Example.com');
      // nodemailer writes the domain in lower case; the address is kept as typed.
      expect(mail.to).toMatchObject({ text: 'Vera@example.com' });
      expect(mail.subject).toBe('Confirm your email address');
      expect(mail.html).toContain(`href="${PUBLIC_URL}/verify-email#token=`);
      const token = tokenIn(mail, 'verify-email');
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
      await request(server).post('/email/verify').set('Host', 'evil.example').send({ token }).expect(204);
      const vera = await tokenFor(server, 'vera', PASSWORD);
      await request(server)
        .get('/user/email')
        .set('Authorization', `Bearer ${vera}`)
        .expect(200, { email: 'Vera@Example.com', verified: true, pending: null });
      await request(server).post('/email/verify').send({ token }).expect(400, BAD_TOKEN);
    });

    it('should answer one 400 for an unknown, a wrong-purpose and an expired token', async () => {
      const token = tokenIn(await createWithEmail('walt', 'walt@example.com'), 'verify-email');
      await request(server)
        .post('/email/verify')
        .send({ token: 'x'.repeat(43) })
        .expect(400, BAD_TOKEN);
      await request(server)
        .post('/password/reset')
        .send({ token, newPassword: NEW_PASSWORD })
        .expect(400, BAD_TOKEN);
      await app.get(DataSource).query("UPDATE link_tokens SET expires_at = '2000-01-01 00:00:00'");
      await request(server).post('/email/verify').send({ token }).expect(400, BAD_TOKEN);
    });
  });

  describe('password reset', () => {
    it('should answer an unknown and a known address alike, and mail only the known one', async () => {
      const token = tokenIn(await createWithEmail('rita', 'rita@example.com'), 'verify-email');
      await request(server).post('/email/verify').send({ token }).expect(204);
      const before = smtp.messages.length;
      const unknown = await request(server).post('/password/forgot').send({ email: 'nobody@example.com' });
      const known = await request(server).post('/password/forgot').send({ email: 'RITA@example.com' });
      expect({ status: unknown.status, body: unknown.body as unknown }).toEqual({
        status: 202,
        body: ACCEPTED,
      });
      expect({ status: known.status, body: known.body as unknown }).toEqual({ status: 202, body: ACCEPTED });
      const mail = await smtp.waitFor(before + 1);
      expect(mail.to).toMatchObject({ text: 'rita@example.com' });
      expect(mail.subject).toBe('Reset your password');
      await sleep(1_500);
      expect(smtp.messages).toHaveLength(before + 1);
    });

    it('should set the password, end every session, mail a notice, and spend the token', async () => {
      const session = await login(server, 'rita', PASSWORD);
      await request(server).post('/password/forgot').send({ email: 'rita@example.com' }).expect(202);
      const token = tokenIn(await nextMail(), 'reset-password');
      const notice = nextMail();
      await request(server)
        .post('/password/reset')
        .set('Host', 'evil.example')
        .send({ token, newPassword: NEW_PASSWORD })
        .expect(204);
      const mail = await notice;
      expect(mail.subject).toBe('Your password was changed');
      expect(mail.text).not.toMatch(/token/i);
      await getUser(server, session.token).expect(401);
      await postLogin(server, 'rita', PASSWORD).expect(400);
      await postLogin(server, 'rita', NEW_PASSWORD).expect(200);
      await request(server)
        .post('/password/reset')
        .send({ token, newPassword: 'yet another passphrase' })
        .expect(400, BAD_TOKEN);
    });

    it('should not bypass two-factor: the login after a reset still asks for the code', async () => {
      const verify = tokenIn(await createWithEmail('tess', 'tess@example.com'), 'verify-email');
      await request(server).post('/email/verify').send({ token: verify }).expect(204);
      const tess = await tokenFor(server, 'tess', PASSWORD);
      const started = await request(server)
        .post('/user/mfa/totp')
        .set('Authorization', `Bearer ${tess}`)
        .send({ currentPassword: PASSWORD })
        .expect(200);
      const secret = Buffer.from(Secret.fromBase32((started.body as { secret: string }).secret).bytes);
      const turnedOn = nextMail();
      await request(server)
        .post('/user/mfa/totp/confirm')
        .set('Authorization', `Bearer ${tess}`)
        .send({ code: codeForStep(secret, stepAt(Date.now())) })
        .expect(200);
      // Two-factor's own notice (test/e2e/email-change.e2e-spec.ts), before the reset's mails.
      expect((await turnedOn).subject).toBe('Two-factor sign-in was turned on');
      await request(server).post('/password/forgot').send({ email: 'tess@example.com' }).expect(202);
      const token = tokenIn(await nextMail(), 'reset-password');
      const notice = nextMail();
      await request(server).post('/password/reset').send({ token, newPassword: NEW_PASSWORD }).expect(204);
      expect((await notice).subject).toBe('Your password was changed');
      const login = await postLogin(server, 'tess', NEW_PASSWORD).expect(200);
      expect(login.body).toMatchObject({ mfaRequired: true });
      expect(login.body).not.toHaveProperty('token');
    });

    it('should not mail an address that is set but not verified', async () => {
      await createWithEmail('uma', 'uma@example.com');
      const before = smtp.messages.length;
      await request(server).post('/password/forgot').send({ email: 'uma@example.com' }).expect(202, ACCEPTED);
      await sleep(1_500);
      expect(smtp.messages).toHaveLength(before);
    });

    it.each([
      ['a CR/LF header injection', 'rita@example.com\r\nBcc: eve@example.com'],
      ['a second recipient', 'rita@example.com, eve@example.com'],
    ])('should refuse %s with 400', async (_, email) => {
      const response = await request(server).post('/password/forgot').send({ email }).expect(400);
      expect((response.body as { message: string }).message).toMatch(/^email must /);
    });

    it.each([
      ['changes it (PUT /user/password)', 'notice-change'],
      ['has it reset by an admin', 'notice-reset'],
    ])('should mail the owner of a verified address a notice when the user %s', async (how, name) => {
      const verify = tokenIn(await createWithEmail(name, `${name}@example.com`), 'verify-email');
      await request(server).post('/email/verify').send({ token: verify }).expect(204);
      const notice = nextMail();
      if (how.startsWith('changes')) {
        await request(server)
          .put('/user/password')
          .set('Authorization', `Bearer ${await tokenFor(server, name, PASSWORD)}`)
          .send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
          .expect(204);
      } else {
        const { body } = await request(server)
          .get(`/admin/users?search=${name}`)
          .set('Authorization', `Bearer ${admin}`)
          .expect(200);
        const { id } = (body as { items: { id: number }[] }).items[0];
        await request(server)
          .put(`/admin/users/${id}/password`)
          .set('Authorization', `Bearer ${admin}`)
          .send({ newPassword: NEW_PASSWORD })
          .expect(204);
      }
      const mail = await notice;
      expect(mail.to).toMatchObject({ text: `${name}@example.com` });
      expect(mail.subject).toBe('Your password was changed');
      expect(mail.text).not.toContain(NEW_PASSWORD);
    });

    it('should hold the new password to the same rules', async () => {
      await request(server)
        .post('/password/reset')
        .send({ token: 'x'.repeat(43), newPassword: 'short' })
        .expect(400, errorBody(400, 'Bad Request', 'newPassword must be at least 8 characters'));
    });
  });
});

describe('EMAIL_VERIFICATION_REQUIRED=true', () => {
  let smtp: TestSmtp;
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;

  beforeAll(async () => {
    smtp = await startSmtp();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    process.env.PUBLIC_URL = PUBLIC_URL;
    process.env.EMAIL_VERIFICATION_REQUIRED = 'true';
    app = await createTestApp();
    server = httpServer(app);
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
    delete process.env.SMTP_URL;
    delete process.env.PUBLIC_URL;
    delete process.env.EMAIL_VERIFICATION_REQUIRED;
  });

  it('should refuse an unverified account with 403 until the resent link is followed', async () => {
    const admin = await tokenFor(server, 'admin', '1234');
    await request(server)
      .post('/admin/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'nora', password: PASSWORD, email: 'nora@example.com' })
      .expect(201);
    await smtp.waitFor(1);
    await postLogin(server, 'nora', PASSWORD).expect(
      403,
      errorBody(
        403,
        'Forbidden',
        'email address not verified: open the link mailed to it, or ask for a new one with POST /email/verify/resend',
      ),
    );
    await request(server).post('/email/verify/resend').send({ name: 'nora' }).expect(202, ACCEPTED);
    await request(server).post('/email/verify/resend').send({ name: 'nobody' }).expect(202, ACCEPTED);
    const token = tokenIn(await smtp.waitFor(2), 'verify-email');
    await request(server).post('/email/verify').send({ token }).expect(204);
    await postLogin(server, 'nora', PASSWORD).expect(200);
  });

  it('should hold back a passkey sign-in of an unverified account as it does a password login', async () => {
    const admin = await tokenFor(server, 'admin', '1234');
    const created = await request(server)
      .post('/admin/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'otto', password: PASSWORD })
      .expect(201);
    const id = (created.body as { id: number }).id;
    // A passkey made while the account had no address, which is then given an unverified one.
    const token = await tokenFor(server, 'otto', PASSWORD);
    const started = await request(server)
      .post('/user/passkeys/registration-options')
      .set('Authorization', `Bearer ${token}`)
      .send({ currentPassword: PASSWORD })
      .expect(200);
    const { challengeId, options } = started.body as {
      challengeId: string;
      options: Record<string, unknown>;
    };
    const authenticator = new SoftAuthenticator();
    await request(server)
      .post('/user/passkeys')
      .set('Authorization', `Bearer ${token}`)
      .send({ challengeId, response: authenticator.register(options) })
      .expect(201);
    const mailed = smtp.messages.length;
    await request(server)
      .patch(`/admin/users/${id}`)
      .set('Authorization', `Bearer ${admin}`)
      .send({ email: 'otto@example.com' })
      .expect(200);
    const signIn = async () => {
      const login = await request(server).post('/login/passkey/options').expect(200);
      const ceremony = login.body as { challengeId: string; options: Record<string, unknown> };
      return request(server)
        .post('/login/passkey')
        .send({ challengeId: ceremony.challengeId, response: authenticator.authenticate(ceremony.options) });
    };
    const refused = await signIn();
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ statusCode: 403, message: expect.stringMatching(/not verified/) });
    const verification = await smtp.waitFor(mailed + 1);
    expect(JSON.stringify(verification.to)).toContain('otto@example.com');
    await request(server)
      .post('/email/verify')
      .send({ token: tokenIn(verification, 'verify-email') })
      .expect(204);
    expect((await signIn()).status).toBe(200);
  });
});
