import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getRepositoryToken } from '@nestjs/typeorm';
import { Secret } from 'otpauth';
import request from 'supertest';
import type { Repository } from 'typeorm';
import { MfaChallengeEntity } from '../../src/mfa/mfa-challenge.entity.js';
import { MFA_TOKEN_MAX_FAILURES } from '../../src/mfa/mfa.service.js';
import { codeForStep, stepAt } from '../../src/mfa/totp.js';
import { UsersService } from '../../src/users/users.service.js';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody } from '../support/expected.js';

// LOGIN_FAILURE_LIMIT stays at e2e-env's 1000000: the account's hold never comes first here, so
// what stops the guesses is the mfaToken's own cap.
const PASSWORD = 'correct horse battery';
const body = (response: request.Response) => response.body as Record<string, string>;
const WRONG_CODE = errorBody(400, 'Bad Request', 'the code is wrong, expired or already used');
const EXHAUSTED = errorBody(
  400,
  'Bad Request',
  'the code is wrong, and too many were for this mfaToken: log in again',
);
const BAD_TOKEN = errorBody(400, 'Bad Request', 'mfaToken is invalid or has expired: log in again');

describe('mfa_challenges: the mfaToken of a login waiting for its second factor', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let challenges: Repository<MfaChallengeEntity>;
  let serial = 0;

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
    challenges = app.get<Repository<MfaChallengeEntity>>(getRepositoryToken(MfaChallengeEntity));
  });
  afterAll(() => app.close());

  const codeAt = (secret: Buffer, drift = 0) => codeForStep(secret, stepAt(Date.now()) + drift);
  /** A 6-digit code that is none of the three accepted now. */
  const wrongCode = (secret: Buffer) =>
    ['000000', '111111', '222222', '333333'].find(
      (code) => ![-1, 0, 1].some((d) => codeAt(secret, d) === code),
    )!;

  async function userWithTotp() {
    const name = `mfa-challenge-${++serial}`;
    const user = await app.get(UsersService).create(name, PASSWORD);
    const login = await request(server).post('/login').send({ name, password: PASSWORD }).expect(200);
    const auth = `Bearer ${body(login).token}`;
    const started = await request(server)
      .post('/user/mfa/totp')
      .set('Authorization', auth)
      .send({ currentPassword: PASSWORD })
      .expect(200);
    const secret = Buffer.from(Secret.fromBase32(body(started).secret).bytes);
    await request(server)
      .post('/user/mfa/totp/confirm')
      .set('Authorization', auth)
      .send({ code: codeAt(secret) })
      .expect(200);
    return { name, id: user.id, secret };
  }

  async function challenge(name: string): Promise<string> {
    const response = await request(server).post('/login').send({ name, password: PASSWORD }).expect(200);
    return body(response).mfaToken;
  }

  const completeWith = (proof: Record<string, unknown>) => request(server).post('/login/mfa').send(proof);

  it(`should spend an mfaToken at its ${MFA_TOKEN_MAX_FAILURES}th wrong code, and a new login still works`, async () => {
    const { name, secret } = await userWithTotp();
    const mfaToken = await challenge(name);
    for (let i = 1; i < MFA_TOKEN_MAX_FAILURES; i++) {
      await completeWith({ mfaToken, code: wrongCode(secret) }).expect(400, WRONG_CODE);
    }
    await completeWith({ mfaToken, recoveryCode: 'aaaaa-aaaaa' }).expect(400, EXHAUSTED);
    // Spent: even the right code is refused with it now.
    await completeWith({ mfaToken, code: codeAt(secret, 1) }).expect(400, BAD_TOKEN);
    await completeWith({ mfaToken: await challenge(name), code: codeAt(secret, 1) }).expect(200);
  });

  it('should count the wrong codes of concurrent requests, each of them', async () => {
    const { name, secret } = await userWithTotp();
    const mfaToken = await challenge(name);
    const answers = await Promise.all(
      Array.from({ length: MFA_TOKEN_MAX_FAILURES + 2 }, () =>
        completeWith({ mfaToken, code: wrongCode(secret) }),
      ),
    );
    expect(answers.map((answer) => answer.status)).toStrictEqual(answers.map(() => 400));
    await completeWith({ mfaToken, code: codeAt(secret, 1) }).expect(400, BAD_TOKEN);
  });

  it('should delete expired challenges when it issues a new one, not only on a completed login', async () => {
    const { name, id } = await userWithTotp();
    const past = new Date(Date.now() - 60_000);
    await challenges.insert([
      { tokenHash: 'expired-a', userId: id, expiresAt: past, failures: 0 },
      { tokenHash: 'expired-b', userId: id, expiresAt: past, failures: 2 },
    ]);
    const live = await challenge(name);
    const left = await challenges.findBy({ userId: id });
    expect(left).toHaveLength(1);
    expect(left.map((row) => row.tokenHash)).not.toContain('expired-a');
    expect(left[0].failures).toBe(0);
    expect(typeof live).toBe('string');
  });
});
