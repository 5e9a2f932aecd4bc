import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jest } from '@jest/globals';
import type { ParsedMail } from 'mailparser';
import { Secret } from 'otpauth';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { codeForStep, stepAt } from '../../src/mfa/totp.js';
import { ACCEPTED } from '../../src/users/account-mail.controller.js';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody, INVALID_CREDENTIALS_BODY } from '../support/expected.js';
import { usingPostgres } from '../support/postgres.js';
import { MAIN, startServer, type RunningServer } from '../support/server-process.js';
import { getUser, postLogin, sleep, tokenFor } from '../support/session-client.js';
import { mailMatches, startSmtp, type TestSmtp } from '../support/smtp.js';

jest.setTimeout(60_000);

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';
const PUBLIC_URL = 'https://auth.example.test';
const BAD_TOKEN = errorBody(400, 'Bad Request', 'token is invalid or expired');

type LinkPage = 'verify-email' | 'reset-password' | 'login-link';

/** The value below which a `q` share of `values` lie (0.5: the median). */
const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length * q)];
const median = (values: number[]) => quantile(values, 0.5);

/** How long `send` takes to be answered, in ms. */
async function timed(send: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await send();
  return performance.now() - started;
}

/** The token of the `page` link in a delivered mail (its text body). */
function tokenIn(mail: ParsedMail, page: LinkPage): string {
  const match = new RegExp(`${PUBLIC_URL}/${page}#token=([A-Za-z0-9_-]+)`).exec(mail.text ?? '');
  if (match === null) {
    throw new Error(`no ${page} link in the mail`);
  }
  return match[1];
}

describe('Invites and sign-in links over a real SMTP server (EMAIL_LOGIN_ENABLED=true)', () => {
  let smtp: TestSmtp;
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let admin: string;

  const nextMail = () => smtp.waitFor(smtp.messages.length + 1);
  const asAdmin = (method: 'post' | 'patch' | 'get', url: string) =>
    request(server)[method](url).set('Authorization', `Bearer ${admin}`);
  /** The stored audit events of one kind for one user, newest first. */
  const auditOf = async (event: string, userId: number) => {
    const response = await asAdmin('get', `/admin/audit?event=${event}&user=${userId}`).expect(200);
    return (response.body as { items: { event: string; details: Record<string, unknown> }[] }).items;
  };

  /** An account with a verified address (created by the admin API, its link followed): its id. */
  const verifiedUser = async (name: string): Promise<number> => {
    // By subject and recipient: a notice of an earlier test (two-factor turned on) may still come.
    const mail = smtp.waitForMail({
      subject: 'Confirm your email address',
      to: `${name}@example.com`,
      from: smtp.messages.length,
    });
    const created = await asAdmin('post', '/admin/users')
      .send({ name, password: PASSWORD, email: `${name}@example.com` })
      .expect(201);
    await request(server)
      .post('/email/verify')
      .send({ token: tokenIn(await mail, 'verify-email') })
      .expect(204);
    return (created.body as { id: number }).id;
  };
  /** Asks for a sign-in link for `email`; the token of the mail it brings. */
  const signInToken = async (email: string) => {
    // By subject and recipient: a notice (two-factor turned on) may arrive before or after it.
    const mail = smtp.waitForMail({ subject: 'Your sign-in link', to: email, from: smtp.messages.length });
    await request(server).post('/login/email').send({ email }).expect(202, ACCEPTED);
    return tokenIn(await mail, 'login-link');
  };

  beforeAll(async () => {
    smtp = await startSmtp();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    process.env.PUBLIC_URL = PUBLIC_URL;
    process.env.EMAIL_LOGIN_ENABLED = 'true';
    app = await createTestApp();
    server = httpServer(app);
    admin = await tokenFor(server, 'admin', '1234');
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
    delete process.env.SMTP_URL;
    delete process.env.PUBLIC_URL;
    delete process.env.EMAIL_LOGIN_ENABLED;
  });

  describe('POST /admin/users with an email and no password (an invite)', () => {
    it('should create the account, mail a link that sets its first password and verifies the address', async () => {
      const mail = nextMail();
      const created = await asAdmin('post', '/admin/users')
        .send({ name: 'ivy', email: 'ivy@example.com' })
        .expect(201);
      const id = (created.body as { id: number }).id;
      expect(created.body).toMatchObject({ name: 'ivy', email: 'ivy@example.com', emailVerified: false });
      // No password works yet, and the failure is a wrong password's.
      await postLogin(server, 'ivy', PASSWORD).expect(400, INVALID_CREDENTIALS_BODY);
      const invite = await mail;
      expect(invite.to).toMatchObject({ text: 'ivy@example.com' });
      expect(invite.subject).toBe('You are invited: choose your password');
      expect(invite.text).toContain('for 7 days');
      expect(invite.html).toContain(`href="${PUBLIC_URL}/reset-password#token=`);
      const token = tokenIn(invite, 'reset-password');
      await request(server).post('/password/reset').send({ token, newPassword: NEW_PASSWORD }).expect(204);
      const ivy = await tokenFor(server, 'ivy', NEW_PASSWORD);
      await request(server)
        .get('/user/email')
        .set('Authorization', `Bearer ${ivy}`)
        .expect(200, { email: 'ivy@example.com', verified: true, pending: null });
      await request(server)
        .post('/password/reset')
        .send({ token, newPassword: 'yet another passphrase' })
        .expect(400, BAD_TOKEN);
      expect((await auditOf('admin.user.invited', id))[0].details).toMatchObject({ roles: 'user' });
      expect((await auditOf('invite.accepted', id))[0].details).toMatchObject({ emailVerified: true });
      // No "your password was changed" notice for a first password.
      await sleep(1_000);
      expect(smtp.messages.filter((message) => message.subject === 'Your password was changed')).toEqual([]);
    });

    it('should refuse an expired invite, and an invite token for another purpose, with the one 400', async () => {
      const mail = nextMail();
      await asAdmin('post', '/admin/users').send({ name: 'iris', email: 'iris@example.com' }).expect(201);
      const token = tokenIn(await mail, 'reset-password');
      await request(server).post('/email/verify').send({ token }).expect(400, BAD_TOKEN);
      await request(server).post('/login/link').send({ token }).expect(400, BAD_TOKEN);
      await app
        .get(DataSource)
        .query("UPDATE link_tokens SET expires_at = '2000-01-01 00:00:00' WHERE purpose = 'invite'");
      await request(server)
        .post('/password/reset')
        .send({ token, newPassword: NEW_PASSWORD })
        .expect(400, BAD_TOKEN);
    });

    it('should refuse an invited account with no password as a wrong password, in the same time', async () => {
      const invite = nextMail();
      await asAdmin('post', '/admin/users').send({ name: 'ines', email: 'ines@example.com' }).expect(201);
      await invite;
      await verifiedUser('walt');
      const invited: number[] = [];
      const wrong: number[] = [];
      for (let i = 0; i < 10; i++) {
        invited.push(
          await timed(() => postLogin(server, 'ines', PASSWORD).expect(400, INVALID_CREDENTIALS_BODY)),
        );
        wrong.push(
          await timed(() => postLogin(server, 'walt', NEW_PASSWORD).expect(400, INVALID_CREDENTIALS_BODY)),
        );
      }
      // Both verify one argon2 hash (about 45 ms): a missing hash would be a ratio near 0.
      const ratio = median(invited) / median(wrong);
      expect(ratio).toBeGreaterThan(0.6);
      expect(ratio).toBeLessThan(1.6);
    });

    it('should answer 400 to neither a password nor an email', () =>
      asAdmin('post', '/admin/users')
        .send({ name: 'nemo' })
        .expect(
          400,
          errorBody(400, 'Bad Request', 'password is required (or an email, to invite the user)'),
        ));

    it('should still hold a given password to the rules', () =>
      asAdmin('post', '/admin/users')
        .send({ name: 'nemo', email: 'nemo@example.com', password: 'short' })
        .expect(400, errorBody(400, 'Bad Request', 'password must be at least 8 characters')));
  });

  describe('POST /login/email and POST /login/link', () => {
    it('should mail a verified address a link whose token logs in as POST /login does, once', async () => {
      const id = await verifiedUser('lina');
      const mail = nextMail();
      await request(server).post('/login/email').send({ email: 'LINA@example.com' }).expect(202, ACCEPTED);
      const delivered = await mail;
      expect(delivered.to).toMatchObject({ text: 'lina@example.com' });
      expect(delivered.subject).toBe('Your sign-in link');
      expect(delivered.text).toContain('for 10 minutes');
      const token = tokenIn(delivered, 'login-link');
      const response = await request(server)
        .post('/login/link')
        .set('Host', 'evil.example')
        .send({ token })
        .expect(200)
        .expect('cache-control', 'no-store');
      expect(response.body).toMatchObject({
        token: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: expect.any(Number),
        refreshToken: expect.any(String),
      });
      expect(String(response.headers['set-cookie'])).toMatch(/^refresh_token=[^;]+;.*HttpOnly/);
      await getUser(server, (response.body as { token: string }).token).expect(200, { id, name: 'lina' });
      await request(server).post('/login/link').send({ token }).expect(400, BAD_TOKEN);
      expect((await auditOf('login.succeeded', id))[0].details).toMatchObject({ method: 'email_link' });
    });

    it('should keep the refresh token out of the body with ?refreshToken=cookie, as POST /login does', async () => {
      await verifiedUser('cora');
      const token = await signInToken('cora@example.com');
      const response = await request(server)
        .post('/login/link?refreshToken=cookie')
        .send({ token })
        .expect(200);
      expect(response.body).not.toHaveProperty('refreshToken');
      expect(String(response.headers['set-cookie'])).toMatch(/^refresh_token=/);
    });

    it('should answer an unknown and an unverified address as a known one, and mail neither', async () => {
      const mail = nextMail();
      await asAdmin('post', '/admin/users')
        .send({ name: 'ulla', password: PASSWORD, email: 'ulla@example.com' })
        .expect(201);
      await mail; // its verification link, not followed
      const before = smtp.messages.length;
      for (const email of ['nobody@example.com', 'ulla@example.com']) {
        const response = await request(server).post('/login/email').send({ email });
        expect({ status: response.status, body: response.body as unknown }).toEqual({
          status: 202,
          body: ACCEPTED,
        });
      }
      await sleep(1_500);
      expect(smtp.messages).toHaveLength(before);
    });

    it('should refuse an expired token and a token for another purpose with the one 400', async () => {
      await verifiedUser('exa');
      const token = await signInToken('exa@example.com');
      await request(server)
        .post('/password/reset')
        .send({ token, newPassword: NEW_PASSWORD })
        .expect(400, BAD_TOKEN);
      await request(server).post('/email/verify').send({ token }).expect(400, BAD_TOKEN);
      await app
        .get(DataSource)
        .query("UPDATE link_tokens SET expires_at = '2000-01-01 00:00:00' WHERE purpose = 'sign_in'");
      await request(server).post('/login/link').send({ token }).expect(400, BAD_TOKEN);
      await request(server)
        .post('/login/link')
        .send({ token: 'x'.repeat(43) })
        .expect(400, BAD_TOKEN);
    });

    it('should refuse the link of an account disabled since it was mailed', async () => {
      const id = await verifiedUser('dora');
      const token = await signInToken('dora@example.com');
      await asAdmin('patch', `/admin/users/${id}`).send({ disabled: true }).expect(200);
      await request(server).post('/login/link').send({ token }).expect(400, BAD_TOKEN);
    });

    it('should answer an account with two-factor on with the challenge of POST /login', async () => {
      await verifiedUser('tara');
      const tara = await tokenFor(server, 'tara', PASSWORD);
      const started = await request(server)
        .post('/user/mfa/totp')
        .set('Authorization', `Bearer ${tara}`)
        .send({ currentPassword: PASSWORD })
        .expect(200);
      const secret = Buffer.from(Secret.fromBase32((started.body as { secret: string }).secret).bytes);
      const step = stepAt(Date.now());
      await request(server)
        .post('/user/mfa/totp/confirm')
        .set('Authorization', `Bearer ${tara}`)
        .send({ code: codeForStep(secret, step) })
        .expect(200);
      const token = await signInToken('tara@example.com');
      const response = await request(server).post('/login/link').send({ token }).expect(200);
      expect(response.body).toEqual({
        mfaRequired: true,
        mfaToken: expect.any(String),
        methods: ['totp', 'recovery'],
      });
      expect(response.headers['set-cookie']).toBeUndefined();
      const { mfaToken } = response.body as { mfaToken: string };
      // The confirmation spent this step's code: the next step's is within the accepted drift.
      await request(server)
        .post('/login/mfa')
        .send({ mfaToken, code: codeForStep(secret, step + 1) })
        .expect(200);
    });

    it('should mail one address at most MAIL_TARGET_LIMIT (5) links an hour, answering the same after', async () => {
      await verifiedUser('mila');
      const before = smtp.messages.length;
      for (let i = 0; i < 7; i++) {
        await request(server).post('/login/email').send({ email: 'mila@example.com' }).expect(202, ACCEPTED);
      }
      // Counted by subject and recipient: another test's notice may arrive in between.
      const links = () =>
        smtp.messages
          .slice(before)
          .filter((mail) => mailMatches(mail, { subject: 'Your sign-in link', to: 'mila@example.com' }));
      for (const deadline = Date.now() + 15_000; links().length < 5 && Date.now() < deadline;) {
        await sleep(50);
      }
      await sleep(1_500);
      expect(links()).toHaveLength(5);
    });

    it.each([
      ['a CR/LF header injection', 'lina@example.com\r\nBcc: eve@example.com'],
      ['a second recipient', 'lina@example.com, eve@example.com'],
    ])('should refuse %s with 400', async (_, email) => {
      const response = await request(server).post('/login/email').send({ email }).expect(400);
      expect((response.body as { message: string }).message).toMatch(/^email must /);
    });
  });
});

describe('Sign-in links with EMAIL_LOGIN_ENABLED unset', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
  });
  afterAll(() => app.close());

  it.each(['/login/email', '/login/link'])('should answer POST %s with 404', (path) =>
    request(server).post(path).send({ email: 'a@example.com', token: 'x' }).expect(404),
  );
});

describe('Sign-in links of an account held back after failed passwords (LOGIN_FAILURE_LIMIT=2)', () => {
  let smtp: TestSmtp;
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;

  beforeAll(async () => {
    smtp = await startSmtp();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    process.env.PUBLIC_URL = PUBLIC_URL;
    process.env.EMAIL_LOGIN_ENABLED = 'true';
    process.env.LOGIN_FAILURE_LIMIT = '2';
    app = await createTestApp();
    server = httpServer(app);
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
    delete process.env.SMTP_URL;
    delete process.env.PUBLIC_URL;
    delete process.env.EMAIL_LOGIN_ENABLED;
    process.env.LOGIN_FAILURE_LIMIT = '1000000';
  });

  it('should refuse the link with 429 and Retry-After while the hold lasts, as POST /login does', async () => {
    const admin = await tokenFor(server, 'admin', '1234');
    await request(server)
      .post('/admin/users')
      .set('Authorization', `Bearer ${admin}`)
      .send({ name: 'hana', password: PASSWORD, email: 'hana@example.com' })
      .expect(201);
    await request(server)
      .post('/email/verify')
      .send({ token: tokenIn(await smtp.waitFor(1), 'verify-email') })
      .expect(204);
    await postLogin(server, 'hana', 'wrong password 1').expect(400);
    await postLogin(server, 'hana', 'wrong password 2').expect(400);
    await postLogin(server, 'hana', PASSWORD).expect(429);
    await request(server).post('/login/email').send({ email: 'hana@example.com' }).expect(202, ACCEPTED);
    const token = tokenIn(await smtp.waitFor(2), 'login-link');
    const refused = await request(server).post('/login/link').send({ token }).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
  });
});

/**
 * POST /login/email answers a known address in the time of an unknown one, as a client sees it:
 * the built service in its own process (in this one, a client reads an answer only once the event
 * loop is free, the work after the answer included). Known and unknown addresses are interleaved
 * and their order swapped every round, so the mail work that follows a known address's answer lands
 * before either kind alike; the lower quartiles are compared: the requests take a few milliseconds,
 * and the noise of a busy machine shows in the upper half (a median once gave 2.25 under load,
 * 0.86-0.92 alone). The way test/e2e/enumeration-timing.e2e-spec.ts times the other public mail routes.
 */
describe('POST /login/email timing, the built service in its own process', () => {
  const ROUNDS = 40;
  // Ten addresses asked for ROUNDS / 10 times each (under the cap of 5), and one for the warm-up.
  const NAMES = Array.from({ length: 11 }, (_, i) => `linktime${i}`);
  let smtp: TestSmtp;
  let service: RunningServer;

  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    if (!existsSync(MAIN)) {
      throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
    }
    smtp = await startSmtp();
    const cwd = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-link-timing-'));
    service = await startServer(
      {
        DATA_DIR: join(cwd, 'data'),
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        PUBLIC_URL,
        EMAIL_LOGIN_ENABLED: 'true',
        // On PostgreSQL: this file's database, with the secret its keys are sealed with.
        ...(usingPostgres()
          ? { DATABASE_URL: process.env.DATABASE_URL!, JWT_SECRET: process.env.JWT_SECRET! }
          : {}),
      },
      cwd,
    );
    const admin = await tokenFor(service.url, 'admin', '1234');
    for (const name of NAMES) {
      const email = `${name}@example.com`;
      const from = smtp.messages.length;
      const created = await post('/admin/users', { name, password: PASSWORD, email }, admin);
      expect(created.status).toBe(201);
      const mail = await smtp.waitForMail({ subject: 'Confirm your email address', to: email, from });
      expect((await post('/email/verify', { token: tokenIn(mail, 'verify-email') })).status).toBe(204);
    }
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await smtp?.close();
  });

  async function timedPost(email: string): Promise<number> {
    await sleep(40);
    const started = performance.now();
    const response = await post('/login/email', { email });
    const text = await response.text();
    const elapsed = performance.now() - started;
    expect(`${response.status} ${text}`).toBe(`202 ${JSON.stringify(ACCEPTED)}`);
    return elapsed;
  }

  it('should answer an unknown address in the time of a known one', async () => {
    const from = smtp.messages.length;
    await timedPost('nobody@example.com'); // warm-up
    await timedPost(`${NAMES[10]}@example.com`);
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const knownFirst = i % 2 === 0;
      if (knownFirst) {
        known.push(await timedPost(`${NAMES[i % 10]}@example.com`));
      }
      unknown.push(await timedPost(`nobody${i}@example.com`));
      if (!knownFirst) {
        known.push(await timedPost(`${NAMES[i % 10]}@example.com`));
      }
    }
    // Each known address was mailed each time (the work whose time is in question), no other.
    const links = () => smtp.messages.slice(from).filter((mail) => mail.subject === 'Your sign-in link');
    for (const deadline = Date.now() + 15_000; links().length < ROUNDS + 1 && Date.now() < deadline;) {
      await sleep(50);
    }
    await sleep(500);
    expect(links()).toHaveLength(ROUNDS + 1);
    const ratio = quantile(unknown, 0.25) / quantile(known, 0.25);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
  }, 60_000);
});
