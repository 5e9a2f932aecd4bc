// A small hold, so that the throttling test reaches it; each test uses its own account.
process.env.LOGIN_FAILURE_LIMIT = '3';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Secret } from 'otpauth';
import request from 'supertest';
import { codeForStep, stepAt } from '../../src/mfa/totp.js';
import { UsersService } from '../../src/users/users.service.js';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody } from '../support/expected.js';

const PASSWORD = 'correct horse battery';
/** The JSON answers these tests read: string members (recoveryCodes is read on its own). */
const body = (response: request.Response) => response.body as Record<string, string>;
const WRONG_CODE = errorBody(400, 'Bad Request', 'the code is wrong, expired or already used');
const BAD_TOKEN = errorBody(400, 'Bad Request', 'mfaToken is invalid or has expired: log in again');

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
});
