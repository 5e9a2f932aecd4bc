// A small hold, so that the throttling test reaches it; each test uses its own account.
process.env.LOGIN_FAILURE_LIMIT = '3';
// A small lifetime bound on second-factor guesses, so that a test reaches it.
process.env.MFA_FAILURE_LIMIT = '5';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Secret } from 'otpauth';
import request from 'supertest';
import { AuditStore } from '../../src/audit/audit-store.js';
import { MfaService } from '../../src/mfa/mfa.service.js';
import { LoginAttemptLimiter } from '../../src/throttling/login-attempts.js';
import { codeForStep, stepAt } from '../../src/mfa/totp.js';
import { UsersService } from '../../src/users/users.service.js';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody } from '../support/expected.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';

const PASSWORD = 'correct horse battery';
/** The JSON answers these tests read: string members (recoveryCodes is read on its own). */
const body = (response: request.Response) => response.body as Record<string, string>;
const WRONG_CODE = errorBody(400, 'Bad Request', 'the code is wrong, expired or already used');
const BAD_TOKEN = errorBody(400, 'Bad Request', 'mfaToken is invalid or has expired: log in again');
const TOTP_LOCKED = errorBody(
  403,
  'Forbidden',
  'authentication codes are locked for this account after too many failed attempts: ' +
    'use a recovery code or a passkey, or ask an operator to reset two-factor authentication',
);
const MFA_FAILURE_LIMIT = 5;

describe('TOTP second factor', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let serial = 0;

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
  });
  afterAll(() => app.close());

  const codeAt = (secret: Buffer, drift = 0) => codeForStep(secret, stepAt(Date.now()) + drift);

  /** A fresh account, logged in (no second factor yet). */
  async function newUser() {
    const name = `mfa-user-${++serial}`;
    await app.get(UsersService).create(name, PASSWORD);
    const response = await request(server).post('/login').send({ name, password: PASSWORD }).expect(200);
    return { name, token: body(response).token };
  }

  /** A fresh account with TOTP on (confirmed with the current step's code): its secret and codes. */
  async function userWithTotp() {
    const user = await newUser();
    const started = await request(server)
      .post('/user/mfa/totp')
      .set('Authorization', `Bearer ${user.token}`)
      .send({ currentPassword: PASSWORD })
      .expect(200);
    const secret = Buffer.from(Secret.fromBase32(body(started).secret).bytes);
    const confirmed = await request(server)
      .post('/user/mfa/totp/confirm')
      .set('Authorization', `Bearer ${user.token}`)
      .send({ code: codeAt(secret) })
      .expect(200);
    return { ...user, secret, recoveryCodes: (confirmed.body as { recoveryCodes: string[] }).recoveryCodes };
  }

  async function challenge(name: string): Promise<string> {
    const response = await request(server).post('/login').send({ name, password: PASSWORD }).expect(200);
    expect(response.body).toStrictEqual({
      mfaRequired: true,
      mfaToken: expect.any(String),
      methods: ['totp', 'recovery'],
    });
    expect(response.headers['set-cookie']).toBeUndefined();
    return body(response).mfaToken;
  }

  const completeWith = (body: Record<string, unknown>) => request(server).post('/login/mfa').send(body);

  describe('POST /user/mfa/totp', () => {
    it('should require authentication', () => request(server).post('/user/mfa/totp').expect(401));

    it('should answer a base32 secret, its otpauth URI and an SVG QR code, not yet on', async () => {
      const { token } = await newUser();
      const response = await request(server)
        .post('/user/mfa/totp')
        .set('Authorization', `Bearer ${token}`)
        .send({ currentPassword: PASSWORD })
        .expect(200)
        .expect('cache-control', 'no-store');
      expect(body(response).secret).toMatch(/^[A-Z2-7]{32}$/);
      const url = new URL(body(response).otpauthUrl);
      expect(url.protocol).toBe('otpauth:');
      expect(url.searchParams.get('secret')).toBe(body(response).secret);
      expect(body(response).qrSvg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      await request(server)
        .get('/user/mfa')
        .set('Authorization', `Bearer ${token}`)
        .expect(200, { totp: false, recoveryCodesLeft: 0 });
    });

    it('should answer 409 while TOTP is on', async () => {
      const { token } = await userWithTotp();
      const response = await request(server)
        .post('/user/mfa/totp')
        .set('Authorization', `Bearer ${token}`)
        .send({ currentPassword: PASSWORD })
        .expect(409);
      expect(response.body).toStrictEqual(
        errorBody(409, 'Conflict', 'two-factor authentication is already on: turn it off first'),
      );
    });
  });

  describe('POST /user/mfa/totp/confirm', () => {
    it('should turn TOTP on, answer 10 distinct recovery codes and end the other sessions', async () => {
      const user = await newUser();
      const other = await request(server)
        .post('/login')
        .send({ name: user.name, password: PASSWORD })
        .expect(200);
      const started = await request(server)
        .post('/user/mfa/totp')
        .set('Authorization', `Bearer ${user.token}`)
        .send({ currentPassword: PASSWORD })
        .expect(200);
      const secret = Buffer.from(Secret.fromBase32(body(started).secret).bytes);
      // One step behind: the clock drift accepted.
      const response = await request(server)
        .post('/user/mfa/totp/confirm')
        .set('Authorization', `Bearer ${user.token}`)
        .send({ code: codeAt(secret, -1) })
        .expect(200);
      const codes = (response.body as { recoveryCodes: string[] }).recoveryCodes;
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      await request(server).get('/user').set('Authorization', `Bearer ${user.token}`).expect(200);
      await request(server)
        .get('/user')
        .set('Authorization', `Bearer ${body(other).token}`)
        .expect(401);
      await request(server)
        .get('/user/mfa')
        .set('Authorization', `Bearer ${user.token}`)
        .expect(200, { totp: true, recoveryCodesLeft: 10 });
    });

    it('should answer 400 to a wrong code and to one of two steps ago, and keep it off', async () => {
      const { token } = await newUser();
      const started = await request(server)
        .post('/user/mfa/totp')
        .set('Authorization', `Bearer ${token}`)
        .send({ currentPassword: PASSWORD });
      const secret = Buffer.from(Secret.fromBase32(body(started).secret).bytes);
      for (const code of [codeAt(secret, -2), codeAt(secret, 2)]) {
        const response = await request(server)
          .post('/user/mfa/totp/confirm')
          .set('Authorization', `Bearer ${token}`)
          .send({ code })
          .expect(400);
        expect(response.body).toStrictEqual(WRONG_CODE);
      }
      await request(server)
        .post('/user/mfa/totp/confirm')
        .set('Authorization', `Bearer ${token}`)
        .send({ code: 'abcdef' })
        .expect(400, errorBody(400, 'Bad Request', 'code must be 6 digits'));
      await request(server)
        .get('/user/mfa')
        .set('Authorization', `Bearer ${token}`)
        .expect(200, { totp: false, recoveryCodesLeft: 0 });
    });

    it('should answer 409 when no set-up is pending', async () => {
      const { token } = await newUser();
      await request(server)
        .post('/user/mfa/totp/confirm')
        .set('Authorization', `Bearer ${token}`)
        .send({ code: '123456' })
        .expect(409);
    });
  });

  describe('POST /login and POST /login/mfa', () => {
    it('should answer a challenge, not tokens, then the usual login answer for a code', async () => {
      const { name, secret } = await userWithTotp();
      const mfaToken = await challenge(name);
      // The confirmation spent this step: the next one (drift) is still accepted.
      const response = await completeWith({ mfaToken, code: codeAt(secret, 1) })
        .expect(200)
        .expect('cache-control', 'no-store');
      expect(response.body).toStrictEqual({
        token: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: expect.any(Number),
        refreshToken: expect.any(String),
      });
      expect(String(response.headers['set-cookie'])).toMatch(/^refresh_token=.+HttpOnly/);
      await request(server)
        .get('/user')
        .set('Authorization', `Bearer ${body(response).token}`)
        .expect(200);
      // Single use.
      await completeWith({ mfaToken, recoveryCode: 'aaaaa-aaaaa' }).expect(400, BAD_TOKEN);
    });

    it('should refuse a code already used (replay), even with a new mfaToken', async () => {
      const { name, secret } = await userWithTotp();
      const code = codeAt(secret, 1);
      await completeWith({ mfaToken: await challenge(name), code }).expect(200);
      await completeWith({ mfaToken: await challenge(name), code }).expect(400, WRONG_CODE);
      // The code of the confirmation's own step, too.
      await completeWith({ mfaToken: await challenge(name), code: codeAt(secret) }).expect(400, WRONG_CODE);
    });

    it('should take a recovery code once, however it is typed', async () => {
      const { name, recoveryCodes } = await userWithTotp();
      const [first] = recoveryCodes;
      await completeWith({
        mfaToken: await challenge(name),
        recoveryCode: ` ${first.toUpperCase()} `,
      }).expect(200);
      await completeWith({ mfaToken: await challenge(name), recoveryCode: first }).expect(400, WRONG_CODE);
      const second = await completeWith({
        mfaToken: await challenge(name),
        recoveryCode: recoveryCodes[1],
      }).expect(200);
      await request(server)
        .get('/user/mfa')
        .set('Authorization', `Bearer ${body(second).token}`)
        .expect(200, { totp: true, recoveryCodesLeft: 8 });
    });

    it('should answer 400 to a wrong code and keep the mfaToken for another try', async () => {
      const { name, secret } = await userWithTotp();
      const mfaToken = await challenge(name);
      const wrong = codeAt(secret, 1) === '000000' ? '111111' : '000000';
      await completeWith({ mfaToken, code: wrong }).expect(400, WRONG_CODE);
      await completeWith({ mfaToken, code: codeAt(secret, 1) }).expect(200);
    });

    it('should refuse an unknown mfaToken and a malformed body', async () => {
      await completeWith({ mfaToken: 'nope', code: '123456' }).expect(400, BAD_TOKEN);
      const both = errorBody(400, 'Bad Request', 'exactly one of code and recoveryCode is required');
      await completeWith({ mfaToken: 'nope' }).expect(400, both);
      await completeWith({ mfaToken: 'nope', code: '123456', recoveryCode: 'abcde-fghjk' }).expect(400, both);
      await completeWith({ code: '123456' }).expect(
        400,
        errorBody(400, 'Bad Request', 'mfaToken is required'),
      );
      await completeWith({ mfaToken: 'nope', code: 12 }).expect(400);
      await request(server).post('/login/mfa').set('Content-Type', 'text/plain').send('x').expect(415);
    });

    it('should hold the account back after LOGIN_FAILURE_LIMIT wrong codes, a right password notwithstanding', async () => {
      const { name, secret } = await userWithTotp();
      for (let i = 0; i < 3; i++) {
        // A new password check each time: it must not clear the second factor's count.
        await completeWith({
          mfaToken: await challenge(name),
          code: '000000' === codeAt(secret, 1) ? '111111' : '000000',
        }).expect(400);
      }
      const held = await request(server).post('/login').send({ name, password: PASSWORD }).expect(429);
      expect(Number(held.headers['retry-after'])).toBeGreaterThan(0);
      expect(body(held).statusCode).toBe(429);
    });
  });

  describe('DELETE /user/mfa/totp', () => {
    it('should answer 400 to a wrong password, then turn it off (204) and end the other sessions', async () => {
      const user = await userWithTotp();
      const other = await completeWith({
        mfaToken: await challenge(user.name),
        code: codeAt(user.secret, 1),
      }).expect(200);
      await request(server)
        .delete('/user/mfa/totp')
        .set('Authorization', `Bearer ${user.token}`)
        .send({ password: 'wrong' })
        .expect(400, errorBody(400, 'Bad Request', 'password is wrong'));
      await request(server)
        .delete('/user/mfa/totp')
        .set('Authorization', `Bearer ${user.token}`)
        .send({ password: PASSWORD })
        .expect(204);
      await request(server)
        .get('/user')
        .set('Authorization', `Bearer ${body(other).token}`)
        .expect(401);
      const login = await request(server)
        .post('/login')
        .send({ name: user.name, password: PASSWORD })
        .expect(200);
      expect(body(login).token).toEqual(expect.any(String));
      await request(server)
        .delete('/user/mfa/totp')
        .set('Authorization', `Bearer ${user.token}`)
        .send({ password: PASSWORD })
        .expect(404);
    });

    it('should require authentication and a password', async () => {
      await request(server).delete('/user/mfa/totp').send({ password: PASSWORD }).expect(401);
      const { token } = await newUser();
      await request(server)
        .delete('/user/mfa/totp')
        .set('Authorization', `Bearer ${token}`)
        .send({})
        .expect(400, errorBody(400, 'Bad Request', 'currentPassword is required'));
    });
  });
  describe('MFA_FAILURE_LIMIT: a lifetime bound on second-factor guesses', () => {
    /** A 6-digit code that is none of the three accepted now. */
    const wrongCode = (secret: Buffer) =>
      ['000000', '111111', '222222', '333333'].find(
        (code) => ![-1, 0, 1].some((drift) => codeAt(secret, drift) === code),
      )!;

    /**
     * What waiting out every hold amounts to: the failure records of the account's holds (the
     * login's and the second factor's, which expire with the hold) are gone.
     */
    async function waitOutHolds(name: string) {
      const holds = app.get(LoginAttemptLimiter);
      await holds.recordSuccess(name);
      await holds.recordSuccess(name, 'mfa');
    }

    /**
     * MFA_FAILURE_LIMIT wrong codes, each with a new password check; every hold met on the way
     * (LOGIN_FAILURE_LIMIT is 3) is waited out, and at least one is.
     */
    async function guessUntilLocked(name: string, secret: Buffer) {
      let holds = 0;
      for (let counted = 0; counted < MFA_FAILURE_LIMIT;) {
        const login = await request(server).post('/login').send({ name, password: PASSWORD });
        if (login.status === 429) {
          holds++;
          await waitOutHolds(name);
          continue;
        }
        expect(login.status).toBe(200);
        await completeWith({ mfaToken: body(login).mfaToken, code: wrongCode(secret) }).expect(
          400,
          WRONG_CODE,
        );
        counted++;
      }
      expect(holds).toBeGreaterThan(0);
    }

    const events = async (event: string, userId: number) =>
      (await app.get(AuditStore).page({ event, userId, limit: 50 })).items.map(
        (item) => JSON.parse(item.details) as Record<string, unknown>,
      );

    it('should stop checking TOTP codes at the limit, holds waited out or not, and say to use a recovery code', async () => {
      const user = await userWithTotp();
      await guessUntilLocked(user.name, user.secret);
      await waitOutHolds(user.name);
      const login = await request(server)
        .post('/login')
        .send({ name: user.name, password: PASSWORD })
        .expect(200);
      expect(body(login).methods).toStrictEqual(['recovery']);
      // Even the right code is refused, unchecked, and the mfaToken stays usable.
      await completeWith({ mfaToken: body(login).mfaToken, code: codeAt(user.secret, 1) }).expect(
        403,
        TOTP_LOCKED,
      );
      await completeWith({
        mfaToken: body(login).mfaToken,
        recoveryCode: user.recoveryCodes[0],
      }).expect(200);
    });

    it('should start counting again after a recovery code, so TOTP codes work again', async () => {
      const user = await userWithTotp();
      await guessUntilLocked(user.name, user.secret);
      await waitOutHolds(user.name);
      const locked = await request(server)
        .post('/login')
        .send({ name: user.name, password: PASSWORD })
        .expect(200);
      expect(body(locked).methods).toStrictEqual(['recovery']);
      await completeWith({ mfaToken: body(locked).mfaToken, recoveryCode: user.recoveryCodes[0] }).expect(
        200,
      );
      // challenge() expects both methods offered again.
      await completeWith({ mfaToken: await challenge(user.name), code: codeAt(user.secret, 1) }).expect(200);
      // From 0: MFA_FAILURE_LIMIT - 1 more failures do not lock it.
      for (let i = 1; i < MFA_FAILURE_LIMIT; i++) {
        await waitOutHolds(user.name);
        await completeWith({ mfaToken: await challenge(user.name), code: wrongCode(user.secret) }).expect(
          400,
        );
      }
      await waitOutHolds(user.name);
      const login = await request(server)
        .post('/login')
        .send({ name: user.name, password: PASSWORD })
        .expect(200);
      expect(body(login).methods).toStrictEqual(['totp', 'recovery']);
    });

    it('should reset the count with the TOTP code before the limit too (consecutive failures only)', async () => {
      const user = await userWithTotp();
      for (let i = 1; i < MFA_FAILURE_LIMIT; i++) {
        await waitOutHolds(user.name);
        await completeWith({ mfaToken: await challenge(user.name), code: wrongCode(user.secret) }).expect(
          400,
        );
      }
      await waitOutHolds(user.name);
      await completeWith({ mfaToken: await challenge(user.name), code: codeAt(user.secret, 1) }).expect(200);
      await waitOutHolds(user.name);
      await completeWith({ mfaToken: await challenge(user.name), code: wrongCode(user.secret) }).expect(400);
      await waitOutHolds(user.name);
      const login = await request(server)
        .post('/login')
        .send({ name: user.name, password: PASSWORD })
        .expect(200);
      expect(body(login).methods).toStrictEqual(['totp', 'recovery']);
    });

    it('should audit every wrong code with its count, and the lock once', async () => {
      const user = await userWithTotp();
      const { id } = (await app.get(UsersService).findByName(user.name))!;
      await guessUntilLocked(user.name, user.secret);
      const failed = await events('mfa.failed', id);
      expect(failed.map((event) => event.failures).sort()).toStrictEqual([1, 2, 3, 4, 5]);
      expect(failed.every((event) => event.reason === 'wrong_code' && event.method === 'totp')).toBe(true);
      const locked = await events('mfa.locked', id);
      expect(locked).toStrictEqual([expect.objectContaining({ failures: MFA_FAILURE_LIMIT })]);
    });

    it('should count concurrent wrong codes, each of them', async () => {
      const user = await userWithTotp();
      const { id } = (await app.get(UsersService).findByName(user.name))!;
      const tokens = await Promise.all(Array.from({ length: MFA_FAILURE_LIMIT }, () => challenge(user.name)));
      const answers = await Promise.all(
        tokens.map((mfaToken) => completeWith({ mfaToken, code: wrongCode(user.secret) })),
      );
      // Some may meet the hold (429) instead; those that were checked all counted.
      const checked = answers.filter((answer) => answer.status === 400).length;
      expect(checked).toBeGreaterThan(0);
      const failed = await events('mfa.failed', id);
      expect(failed.map((event) => event.failures).sort()).toStrictEqual(
        Array.from({ length: checked }, (_, i) => i + 1),
      );
    });

    it('should start counting again after a passkey sign-in', async () => {
      const user = await userWithTotp();
      const authenticator = new SoftAuthenticator();
      const registration = await request(server)
        .post('/user/passkeys/registration-options')
        .set('Authorization', `Bearer ${user.token}`)
        .send({ currentPassword: PASSWORD })
        .expect(200);
      const { challengeId, options } = registration.body as {
        challengeId: string;
        options: Record<string, unknown>;
      };
      await request(server)
        .post('/user/passkeys')
        .set('Authorization', `Bearer ${user.token}`)
        .send({ challengeId, response: authenticator.register(options) })
        .expect(201);
      await guessUntilLocked(user.name, user.secret);
      const signIn = await request(server).post('/login/passkey/options').expect(200);
      const ceremony = signIn.body as { challengeId: string; options: Record<string, unknown> };
      await request(server)
        .post('/login/passkey')
        .send({ challengeId: ceremony.challengeId, response: authenticator.authenticate(ceremony.options) })
        .expect(200);
      await waitOutHolds(user.name);
      await completeWith({ mfaToken: await challenge(user.name), code: codeAt(user.secret, 1) }).expect(200);
    });

    it("should be cleared by the operator's reset (npm run users -- mfa reset)", async () => {
      const user = await userWithTotp();
      const { id } = (await app.get(UsersService).findByName(user.name))!;
      await guessUntilLocked(user.name, user.secret);
      // What `npm run users -- mfa reset NAME` runs (src/cli/users.commands.ts).
      await app.get(MfaService).resetTotp(id);
      await waitOutHolds(user.name);
      const login = await request(server)
        .post('/login')
        .send({ name: user.name, password: PASSWORD })
        .expect(200);
      const token = body(login).token;
      const started = await request(server)
        .post('/user/mfa/totp')
        .set('Authorization', `Bearer ${token}`)
        .send({ currentPassword: PASSWORD })
        .expect(200);
      const secret = Buffer.from(Secret.fromBase32(body(started).secret).bytes);
      await request(server)
        .post('/user/mfa/totp/confirm')
        .set('Authorization', `Bearer ${token}`)
        .send({ code: codeAt(secret) })
        .expect(200);
      const again = await request(server)
        .post('/login')
        .send({ name: user.name, password: PASSWORD })
        .expect(200);
      expect(body(again).methods).toStrictEqual(['totp', 'recovery']);
      await completeWith({ mfaToken: body(again).mfaToken, code: codeAt(secret, 1) }).expect(200);
    });
  });
});
