// A small hold, so that the tests reach it; each test uses its own account.
process.env.LOGIN_FAILURE_LIMIT = '3';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getRepositoryToken } from '@nestjs/typeorm';
import { Secret } from 'otpauth';
import request from 'supertest';
import type { Repository } from 'typeorm';
import { seal } from '../../src/common/crypto/sealing.js';
import { MFA_KEYS, type MfaKeys } from '../../src/mfa/mfa-keys.js';
import { TOTP_SETUP_TTL_MS } from '../../src/mfa/mfa.service.js';
import { codeForStep, newTotpSecret, stepAt, toBase32 } from '../../src/mfa/totp.js';
import { TotpCredentialEntity } from '../../src/mfa/totp-credential.entity.js';
import { PasskeyChallengeEntity } from '../../src/passkeys/passkey-challenge.entity.js';
import { DEMO_ADMIN } from '../../src/users/admin-seeder.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody } from '../support/expected.js';
import { tokenFor } from '../support/session-client.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';

// The audit's attack (issue 22, section 1): with only a victim's access token, add a passkey or
// put a TOTP secret on the account. Every change to how an account signs in now asks for the
// current password in the same request (docs/security.md#step-up).
const PASSWORD = 'correct horse battery';
const WRONG = 'not the password';
const REQUIRED = errorBody(400, 'Bad Request', 'currentPassword is required');
// No body at all is refused before the step-up is even read, as on every route that takes one.
const NOT_JSON = 415;
const WRONG_CURRENT = errorBody(400, 'Bad Request', 'currentPassword is wrong');
const NO_SETUP = errorBody(409, 'Conflict', 'no two-factor set-up is pending: POST /user/mfa/totp first');
const INVALID_CHALLENGE = errorBody(
  400,
  'Bad Request',
  'challengeId is invalid, expired or already used: ask for new options',
);

interface AuditItem {
  event: string;
  userId: number | null;
  details: Record<string, unknown>;
}

describe('Step-up: proof beyond the access token for every sign-in change', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let serial = 0;

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
  });
  afterAll(() => app.close());

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const codeNow = (secret: Buffer) => codeForStep(secret, stepAt(Date.now()));
  const totpRows = () => app.get<Repository<TotpCredentialEntity>>(getRepositoryToken(TotpCredentialEntity));
  const challengeRows = () =>
    app.get<Repository<PasskeyChallengeEntity>>(getRepositoryToken(PasskeyChallengeEntity));

  /** A fresh account, logged in with its password: the thief holds `token`, nothing more. */
  async function newUser() {
    const name = `step-up-${++serial}`;
    const { id } = await app.get(UsersService).create(name, PASSWORD);
    return { id, name, token: await tokenFor(server, name, PASSWORD) };
  }

  const passkeyOptions = (token: string, body?: object) => {
    const call = request(server).post('/user/passkeys/registration-options').set(bearer(token));
    return body === undefined ? call : call.send(body);
  };
  const totpStart = (token: string, body?: object) => {
    const call = request(server).post('/user/mfa/totp').set(bearer(token));
    return body === undefined ? call : call.send(body);
  };

  async function auditOf(event: string, user?: number): Promise<AuditItem[]> {
    const admin = await tokenFor(server, DEMO_ADMIN.name, DEMO_ADMIN.password);
    const query = user === undefined ? `event=${event}` : `event=${event}&user=${user}`;
    const response = await request(server).get(`/admin/audit?${query}`).set(bearer(admin)).expect(200);
    return (response.body as { items: AuditItem[] }).items;
  }

  describe('the attack: an access token alone', () => {
    it('should not start a passkey registration (400 naming currentPassword), with or without a body', async () => {
      const { id, token } = await newUser();
      await passkeyOptions(token).expect(NOT_JSON);
      await passkeyOptions(token, {}).expect(400, REQUIRED);
      await passkeyOptions(token, { currentPassword: '' }).expect(
        400,
        errorBody(400, 'Bad Request', 'currentPassword must not be empty'),
      );
      await passkeyOptions(token, { currentPassword: null }).expect(
        400,
        errorBody(400, 'Bad Request', 'currentPassword must not be null'),
      );
      await passkeyOptions(token, { currentPassword: 1234 }).expect(
        400,
        errorBody(400, 'Bad Request', 'currentPassword must be a string'),
      );
      expect(await challengeRows().countBy({ userId: id })).toBe(0);
    });

    it('should not start a TOTP set-up (400 naming currentPassword), with or without a body', async () => {
      const { id, token } = await newUser();
      await totpStart(token).expect(NOT_JSON);
      await totpStart(token, {}).expect(400, REQUIRED);
      expect(await totpRows().countBy({ userId: id })).toBe(0);
    });

    it('should refuse a wrong currentPassword as DELETE /user/mfa/totp refuses a wrong password (400)', async () => {
      const { id, name, token } = await newUser();
      await passkeyOptions(token, { currentPassword: WRONG }).expect(400, WRONG_CURRENT);
      await totpStart(token, { currentPassword: WRONG }).expect(400, WRONG_CURRENT);
      expect(await challengeRows().countBy({ userId: id })).toBe(0);
      expect(await totpRows().countBy({ userId: id })).toBe(0);
      const failures = (await auditOf('password.check_failed')).filter((item) => item.details.name === name);
      expect(failures.map((item) => item.details.check).sort()).toEqual(['passkey_add', 'totp_setup']);
    });

    it('should not finish a registration whose challenge was made without the step-up (before it existed)', async () => {
      const { id, token } = await newUser();
      const authenticator = new SoftAuthenticator();
      // The options a token alone got before this change, still pending in the database.
      const { options } = (await passkeyOptions(token, { currentPassword: PASSWORD }).expect(200)).body as {
        options: Record<string, unknown>;
      };
      await challengeRows().delete({ userId: id });
      const challengeId = 'c'.repeat(43);
      const { createHash } = await import('node:crypto');
      await challengeRows().insert({
        idHash: createHash('sha256').update(challengeId).digest('base64url'),
        purpose: 'registration' as never,
        userId: id,
        challenge: options.challenge as string,
        userHandle: (options.user as { id: string }).id,
        expiresAt: new Date(Date.now() + 60_000),
      });
      await request(server)
        .post('/user/passkeys')
        .set(bearer(token))
        .send({ challengeId, response: authenticator.register(options) })
        .expect(400, INVALID_CHALLENGE);
      await request(server).get('/user/passkeys').set(bearer(token)).expect(200, []);
    });

    it('should not turn on a TOTP secret left pending without the step-up (before it existed)', async () => {
      const { id, token } = await newUser();
      const secret = newTotpSecret();
      const keys = app.get<MfaKeys>(MFA_KEYS);
      // What POST /user/mfa/totp stored for a token alone before this change.
      await totpRows().insert({
        userId: id,
        secretSealed: seal(secret, keys.totpSealing, `totp:${id}`),
        createdAt: new Date(),
        confirmedAt: null,
        lastStep: null,
      });
      await request(server)
        .post('/user/mfa/totp/confirm')
        .set(bearer(token))
        .send({ code: codeNow(secret) })
        .expect(409, NO_SETUP);
      await request(server)
        .get('/user/mfa')
        .set(bearer(token))
        .expect(200, { totp: false, recoveryCodesLeft: 0 });
    });
  });

  describe('with the current password', () => {
    it('should add a passkey: the finishing request inherits the proof of the options, and it is audited', async () => {
      const { id, token } = await newUser();
      const authenticator = new SoftAuthenticator();
      const { challengeId, options } = (
        await passkeyOptions(token, { currentPassword: PASSWORD })
          .expect(200)
          .expect('cache-control', 'no-store')
      ).body as { challengeId: string; options: Record<string, unknown> };
      const added = await request(server)
        .post('/user/passkeys')
        .set(bearer(token))
        .send({ challengeId, response: authenticator.register(options) })
        .expect(201);
      expect(await auditOf('passkey.registration_started', id)).toEqual([
        expect.objectContaining({ userId: id, details: { proof: 'password' } }),
      ]);
      expect(await auditOf('passkey.added', id)).toHaveLength(1);
      // The challenge is spent: the proof bought exactly one passkey.
      await request(server)
        .post('/user/passkeys')
        .set(bearer(token))
        .send({ challengeId, response: new SoftAuthenticator().register(options) })
        .expect(400, INVALID_CHALLENGE);

      // Its first sign-in is an audit event, once; later ones are not.
      for (let i = 0; i < 2; i++) {
        const login = (await request(server).post('/login/passkey/options').expect(200)).body as {
          challengeId: string;
          options: Record<string, unknown>;
        };
        await request(server)
          .post('/login/passkey')
          .send({ challengeId: login.challengeId, response: authenticator.authenticate(login.options) })
          .expect(200);
      }
      expect(await auditOf('passkey.first_used', id)).toEqual([
        expect.objectContaining({
          userId: id,
          details: expect.objectContaining({ passkeyId: (added.body as { id: string }).id }),
        }),
      ]);
    });

    it('should set up TOTP, audited, and refuse a set-up left pending over TOTP_SETUP_TTL', async () => {
      const { id, token } = await newUser();
      const started = await totpStart(token, { currentPassword: PASSWORD })
        .expect(200)
        .expect('cache-control', 'no-store');
      const secret = Buffer.from(Secret.fromBase32((started.body as { secret: string }).secret).bytes);
      expect(toBase32(secret)).toBe((started.body as { secret: string }).secret);
      expect(await auditOf('mfa.totp.setup_started', id)).toEqual([
        expect.objectContaining({ userId: id, details: { proof: 'password' } }),
      ]);
      await totpRows().update({ userId: id }, { createdAt: new Date(Date.now() - TOTP_SETUP_TTL_MS - 1000) });
      await request(server)
        .post('/user/mfa/totp/confirm')
        .set(bearer(token))
        .send({ code: codeNow(secret) })
        .expect(409, NO_SETUP);

      const again = await totpStart(token, { currentPassword: PASSWORD }).expect(200);
      const fresh = Buffer.from(Secret.fromBase32((again.body as { secret: string }).secret).bytes);
      await request(server)
        .post('/user/mfa/totp/confirm')
        .set(bearer(token))
        .send({ code: codeNow(fresh) })
        .expect(200);
      // The confirmed secret is the one a login checks (the next step: this one is spent).
      const name = (await app.get(UsersService).get(id)).name;
      const login = await request(server).post('/login').send({ name, password: PASSWORD }).expect(200);
      await request(server)
        .post('/login/mfa')
        .send({
          mfaToken: (login.body as { mfaToken: string }).mfaToken,
          code: codeForStep(fresh, stepAt(Date.now()) + 1),
        })
        .expect(200);
    });
  });

  describe('DELETE /user/mfa/totp', () => {
    async function userWithTotp() {
      const user = await newUser();
      const started = await totpStart(user.token, { currentPassword: PASSWORD }).expect(200);
      const secret = Buffer.from(Secret.fromBase32((started.body as { secret: string }).secret).bytes);
      await request(server)
        .post('/user/mfa/totp/confirm')
        .set(bearer(user.token))
        .send({ code: codeNow(secret) })
        .expect(200);
      return user;
    }
    const disable = (token: string, body?: object) => {
      const call = request(server).delete('/user/mfa/totp').set(bearer(token));
      return body === undefined ? call : call.send(body);
    };

    it('should take currentPassword or password, exactly one of them', async () => {
      const { token } = await userWithTotp();
      await disable(token).expect(NOT_JSON);
      await disable(token, {}).expect(400, REQUIRED);
      await disable(token, { currentPassword: PASSWORD, password: PASSWORD }).expect(
        400,
        errorBody(400, 'Bad Request', 'password must not be sent with currentPassword: send one of them'),
      );
      await disable(token, { currentPassword: WRONG }).expect(400, WRONG_CURRENT);
      await disable(token, { password: WRONG }).expect(
        400,
        errorBody(400, 'Bad Request', 'password is wrong'),
      );
      await disable(token, { currentPassword: PASSWORD }).expect(204);

      const other = await userWithTotp();
      await disable(other.token, { password: PASSWORD }).expect(204);
    });
  });

  describe('the account hold', () => {
    it('should count every wrong step-up password toward LOGIN_FAILURE_LIMIT, then hold every door (429)', async () => {
      const { name, token } = await newUser();
      await passkeyOptions(token, { currentPassword: WRONG }).expect(400, WRONG_CURRENT);
      await totpStart(token, { currentPassword: WRONG }).expect(400, WRONG_CURRENT);
      await passkeyOptions(token, { currentPassword: WRONG }).expect(400, WRONG_CURRENT);
      // LOGIN_FAILURE_LIMIT (3) reached: even the right password is held back, on every route.
      await passkeyOptions(token, { currentPassword: PASSWORD }).expect(429).expect('retry-after', /^\d+$/);
      await totpStart(token, { currentPassword: PASSWORD }).expect(429);
      await request(server).post('/login').send({ name, password: PASSWORD }).expect(429);
      const held = (await auditOf('login.throttled')).filter((item) => item.details.name === name);
      expect(held.map((item) => item.details.check).sort()).toEqual(['login', 'passkey_add', 'totp_setup']);
    });
  });
});
