import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Secret } from 'otpauth';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { codeForStep, stepAt } from '../../src/mfa/totp.js';
import { PasskeyChallengeEntity } from '../../src/passkeys/passkey-challenge.entity.js';
import { DEMO_ADMIN } from '../../src/users/admin-seeder.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody } from '../support/expected.js';
import { tokenFor } from '../support/session-client.js';
import { SoftAuthenticator, UP, UV, AT } from '../support/soft-authenticator.js';

const PASSWORD = 'correct horse battery';
const INVALID_CHALLENGE = errorBody(
  400,
  'Bad Request',
  'challengeId is invalid, expired or already used: ask for new options',
);
const REFUSED = errorBody(401, 'Unauthorized', 'the passkey was not accepted');

interface Options {
  challengeId: string;
  options: Record<string, unknown>;
}

describe('Passkeys', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let serial = 0;

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
  });
  afterAll(() => app.close());

  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  /** A fresh account, logged in with its password. */
  async function newUser() {
    const name = `passkey-user-${++serial}`;
    const { id } = await app.get(UsersService).create(name, PASSWORD);
    return { id, name, token: await tokenFor(server, name, PASSWORD) };
  }

  async function registrationOptions(token: string): Promise<Options> {
    const response = await request(server)
      .post('/user/passkeys/registration-options')
      .set(bearer(token))
      .send({ currentPassword: PASSWORD })
      .expect(200)
      .expect('cache-control', 'no-store');
    return response.body as Options;
  }

  /** Registers `authenticator` for the user: the stored passkey's view. */
  async function register(token: string, authenticator = new SoftAuthenticator(), name?: string) {
    const { challengeId, options } = await registrationOptions(token);
    const response = await request(server)
      .post('/user/passkeys')
      .set(bearer(token))
      .send({
        challengeId,
        response: authenticator.register(options),
        ...(name === undefined ? {} : { name }),
      })
      .expect(201);
    return { authenticator, passkey: response.body as { id: string; name: string } };
  }

  async function loginOptions(): Promise<Options> {
    const response = await request(server)
      .post('/login/passkey/options')
      .expect(200)
      .expect('cache-control', 'no-store');
    return response.body as Options;
  }

  const signIn = (body: object, query = '') => request(server).post(`/login/passkey${query}`).send(body);

  /** A sign-in answer from `authenticator`, with the ceremony's changes. */
  async function signedAnswer(authenticator: SoftAuthenticator, ceremony = {}) {
    const { challengeId, options } = await loginOptions();
    return { challengeId, response: authenticator.authenticate(options, ceremony) };
  }

  /** The stored audit events of one kind for one user, newest first. */
  async function auditOf(event: string, userId: number) {
    const admin = await tokenFor(server, DEMO_ADMIN.name, DEMO_ADMIN.password);
    const response = await request(server)
      .get(`/admin/audit?event=${event}&user=${userId}`)
      .set(bearer(admin))
      .expect(200);
    return (response.body as { items: { event: string; details: Record<string, unknown> }[] }).items;
  }

  describe('POST /user/passkeys/registration-options', () => {
    it('should require authentication', () =>
      request(server).post('/user/passkeys/registration-options').expect(401));

    it('should ask for a discoverable, user-verified credential without attestation, excluding the existing ones', async () => {
      const { token, name } = await newUser();
      const first = await registrationOptions(token);
      expect(first.challengeId).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(first.options).toEqual(
        expect.objectContaining({
          challenge: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
          rp: { name: 'nest-jwt-auth', id: 'localhost' },
          user: { id: expect.any(String), name, displayName: name },
          attestation: 'none',
          excludeCredentials: [],
          authenticatorSelection: expect.objectContaining({
            residentKey: 'required',
            userVerification: 'required',
          }),
        }),
      );
      const { authenticator } = await register(token);
      const second = await registrationOptions(token);
      expect(second.options.excludeCredentials).toEqual([
        { id: authenticator.id, type: 'public-key', transports: ['internal'] },
      ]);
      // One user handle for all of a user's passkeys: the first one's.
      expect((second.options.user as { id: string }).id).toBe(authenticator.userHandle);
    });
  });

  describe('POST /user/passkeys and GET /user/passkeys', () => {
    it('should store a passkey under its trimmed name, list it without its key, and default the name', async () => {
      const { token } = await newUser();
      const { passkey } = await register(token, new SoftAuthenticator(), '  Laptop  ');
      expect(passkey).toStrictEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Laptop',
        createdAt: expect.any(String),
        lastUsedAt: null,
        transports: ['internal'],
      });
      await register(token);
      const list = await request(server)
        .get('/user/passkeys')
        .set(bearer(token))
        .expect(200)
        .expect('cache-control', 'no-store');
      expect((list.body as { name: string }[]).map(({ name }) => name)).toEqual(['Laptop', 'Passkey']);
      expect(JSON.stringify(list.body)).not.toMatch(/publicKey|credential|counter/i);
    });

    it('should audit the addition', async () => {
      const { id, token } = await newUser();
      const { passkey } = await register(token);
      expect(await auditOf('passkey.added', id)).toEqual([
        expect.objectContaining({ event: 'passkey.added', details: { passkeyId: passkey.id } }),
      ]);
    });

    it('should refuse the same credential twice (409), and the challenge of another user or of a sign-in', async () => {
      const alice = await newUser();
      const bob = await newUser();
      const { authenticator } = await register(alice.token);
      const again = await registrationOptions(alice.token);
      await request(server)
        .post('/user/passkeys')
        .set(bearer(alice.token))
        .send({ challengeId: again.challengeId, response: authenticator.register(again.options) })
        .expect(409, errorBody(409, 'Conflict', 'this passkey is registered already'));
      const alices = await registrationOptions(alice.token);
      await request(server)
        .post('/user/passkeys')
        .set(bearer(bob.token))
        .send({ challengeId: alices.challengeId, response: new SoftAuthenticator().register(alices.options) })
        .expect(400, INVALID_CHALLENGE);
      const signInChallenge = await loginOptions();
      await request(server)
        .post('/user/passkeys')
        .set(bearer(bob.token))
        .send({
          challengeId: signInChallenge.challengeId,
          response: new SoftAuthenticator().register({ ...signInChallenge.options, user: { id: 'AA' } }),
        })
        .expect(400, INVALID_CHALLENGE);
    });

    it.each([
      [
        'another origin',
        { origin: 'https://evil.example' },
        'the passkey was made on another origin (WEBAUTHN_ORIGIN)',
      ],
      [
        'another RP ID',
        { rpId: 'example.com' },
        'the passkey was made for another relying party (WEBAUTHN_RP_ID)',
      ],
      [
        'no user verification',
        { flags: UP | AT },
        'the authenticator did not verify the user (a PIN or biometric is required)',
      ],
      ['another challenge', { challenge: 'c29tZXRoaW5nLWVsc2U' }, 'the passkey answers another challenge'],
    ])(
      'should refuse a credential made with %s (400) and spend the challenge',
      async (_, ceremony, message) => {
        const { token } = await newUser();
        const { challengeId, options } = await registrationOptions(token);
        const authenticator = new SoftAuthenticator();
        await request(server)
          .post('/user/passkeys')
          .set(bearer(token))
          .send({ challengeId, response: authenticator.register(options, ceremony) })
          .expect(400, errorBody(400, 'Bad Request', message));
        await request(server)
          .post('/user/passkeys')
          .set(bearer(token))
          .send({ challengeId, response: authenticator.register(options) })
          .expect(400, INVALID_CHALLENGE);
        await request(server).get('/user/passkeys').set(bearer(token)).expect(200, []);
      },
    );

    it('should answer 400 to every malformed body, naming the member, never 500', async () => {
      const { token } = await newUser();
      const { challengeId, options } = await registrationOptions(token);
      const good = new SoftAuthenticator().register(options);
      const cases: [object, string][] = [
        [{ response: good }, 'challengeId is required'],
        [{ challengeId }, 'response is required'],
        [{ challengeId: 5, response: good }, 'challengeId must be a string'],
        [{ challengeId: 'x'.repeat(65), response: good }, 'challengeId must be at most 64 characters'],
        [{ challengeId, response: 'text' }, 'response must be an object'],
        [{ challengeId, response: [good] }, 'response must be an object'],
        [
          { challengeId, response: { ...good, extra: 1 } },
          'response must only have the properties id, rawId, type, response, authenticatorAttachment, clientExtensionResults',
        ],
        [
          { challengeId, response: { ...good, id: 'not base64url!' } },
          'response.id must be a non-empty base64url string',
        ],
        [{ challengeId, response: { ...good, rawId: 'AAAA' } }, 'response.rawId must equal response.id'],
        [{ challengeId, response: { ...good, type: 'password' } }, 'response.type must be public-key'],
        [{ challengeId, response: { ...good, response: null } }, 'response.response must be an object'],
        [
          { challengeId, response: { ...good, response: { ...good.response, clientDataJSON: undefined } } },
          'response.response.clientDataJSON must be a non-empty base64url string',
        ],
        [
          {
            challengeId,
            response: { ...good, response: { ...good.response, attestationObject: 'A'.repeat(8193) } },
          },
          'response.response.attestationObject must be at most 8192 characters',
        ],
        [
          { challengeId, response: { ...good, response: { ...good.response, transports: 'usb' } } },
          'response.response.transports must be a list of at most 8 transport names',
        ],
        [{ challengeId, response: good, name: '   ' }, 'name must not be empty'],
        [{ challengeId, response: good, name: 'a\u0007b' }, 'name must not contain control characters'],
        [{ challengeId, response: good, name: 'x'.repeat(65) }, 'name must be at most 64 characters'],
        [{ challengeId, response: good, name: 7 }, 'name must be a string'],
        [
          { challengeId, response: good, other: true },
          'request body must only have the properties challengeId, name, response',
        ],
      ];
      for (const [body, message] of cases) {
        const response = await request(server).post('/user/passkeys').set(bearer(token)).send(body);
        expect({ body, status: response.status, answer: response.body as unknown }).toEqual({
          body,
          status: 400,
          answer: errorBody(400, 'Bad Request', message),
        });
      }
      // Well-formed members whose content is garbage: refused by the verifier, in our words.
      const garbage = await registrationOptions(token);
      await request(server)
        .post('/user/passkeys')
        .set(bearer(token))
        .send({
          challengeId: garbage.challengeId,
          response: { ...good, response: { clientDataJSON: 'AAAA', attestationObject: 'AAAA' } },
        })
        .expect(400, errorBody(400, 'Bad Request', 'the passkey could not be verified'));
      // None of those bodies got as far as the challenge: the first one is still good.
      await request(server)
        .post('/user/passkeys')
        .set(bearer(token))
        .send({ challengeId, response: good })
        .expect(201);
    });
  });

  describe('POST /login/passkey/options and POST /login/passkey', () => {
    it('should offer a discoverable sign-in with user verification required', async () => {
      const { challengeId, options } = await loginOptions();
      expect(challengeId).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(options).toEqual(
        expect.objectContaining({
          rpId: 'localhost',
          userVerification: 'required',
          challenge: expect.any(String),
        }),
      );
      expect(options.allowCredentials).toBeUndefined();
    });

    it("should answer exactly a password login's answer: the pair, the refresh cookie, a working token", async () => {
      const { name, token } = await newUser();
      const { authenticator } = await register(token);
      const response = await signIn(await signedAnswer(authenticator))
        .expect(200)
        .expect('cache-control', 'no-store');
      expect(response.body).toStrictEqual({
        token: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshToken: expect.any(String),
      });
      const cookie = response.headers['set-cookie'] as unknown as string[];
      expect(cookie).toEqual([
        expect.stringMatching(
          /^refresh_token=[^;]+; Path=\/refresh; Expires=[^;]+; HttpOnly; SameSite=Strict$/,
        ),
      ]);
      const password = await request(server).post('/login').send({ name, password: PASSWORD }).expect(200);
      expect(Object.keys(response.body as object).sort()).toEqual(
        Object.keys(password.body as object).sort(),
      );
      const me = await request(server)
        .get('/user')
        .set(bearer((response.body as { token: string }).token))
        .expect(200);
      expect(me.body).toEqual(expect.objectContaining({ name }));
      // ?refreshToken=cookie, as the login page asks: the token in the cookie only.
      const cookieOnly = await signIn(await signedAnswer(authenticator), '?refreshToken=cookie').expect(200);
      expect(Object.keys(cookieOnly.body as object).sort()).toEqual(['expiresIn', 'token', 'tokenType']);
      const [listed] = (await request(server).get('/user/passkeys').set(bearer(token)).expect(200)).body as {
        lastUsedAt: string | null;
      }[];
      expect(listed.lastUsedAt).toEqual(expect.any(String));
    });

    it('should give an account with TOTP on its tokens directly: a passkey is both factors', async () => {
      const { name, token } = await newUser();
      const { authenticator } = await register(token);
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
      const password = await request(server).post('/login').send({ name, password: PASSWORD }).expect(200);
      expect(password.body).toEqual(expect.objectContaining({ mfaRequired: true }));
      const response = await signIn(await signedAnswer(authenticator)).expect(200);
      expect(response.body).toEqual(
        expect.objectContaining({ tokenType: 'Bearer', token: expect.any(String) }),
      );
    });

    it('should refuse a challenge used before (a replay), also after a refused attempt', async () => {
      const { token } = await newUser();
      const { authenticator } = await register(token);
      const answer = await signedAnswer(authenticator);
      await signIn(answer).expect(200);
      await signIn(answer).expect(400, INVALID_CHALLENGE);
      const fresh = await loginOptions();
      const signed = authenticator.authenticate(fresh.options);
      const tampered = {
        ...signed,
        response: { ...signed.response, signature: signed.response.signature.slice(0, -4) + 'AAAA' },
      };
      await signIn({ challengeId: fresh.challengeId, response: tampered }).expect(401, REFUSED);
      await signIn({ challengeId: fresh.challengeId, response: signed }).expect(400, INVALID_CHALLENGE);
    });

    it('should refuse an expired challenge, and prune expired ones', async () => {
      const { token } = await newUser();
      const { authenticator } = await register(token);
      const answer = await signedAnswer(authenticator);
      const database = app.get(DataSource);
      await database
        .createQueryBuilder()
        .update(PasskeyChallengeEntity)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .execute();
      await signIn(answer).expect(400, INVALID_CHALLENGE);
      const left = await database
        .createQueryBuilder()
        .select('count(*)', 'n')
        .from('passkey_challenges', 'c')
        .getRawOne<{ n: string | number }>();
      expect(Number(left?.n)).toBe(0);
    });

    it('should refuse a registration challenge for a sign-in', async () => {
      const { token } = await newUser();
      const { authenticator } = await register(token);
      const { challengeId, options } = await registrationOptions(token);
      await signIn({ challengeId, response: authenticator.authenticate(options) }).expect(
        400,
        INVALID_CHALLENGE,
      );
    });

    it('should refuse a signature counter that does not move forward, and audit it', async () => {
      const { id, token } = await newUser();
      const { authenticator, passkey } = await register(token);
      await signIn(await signedAnswer(authenticator, { counter: 5 })).expect(200);
      await signIn(await signedAnswer(authenticator, { counter: 5 })).expect(401, REFUSED);
      await signIn(await signedAnswer(authenticator, { counter: 3 })).expect(401, REFUSED);
      await signIn(await signedAnswer(authenticator, { counter: 0 })).expect(401, REFUSED);
      await signIn(await signedAnswer(authenticator, { counter: 6 })).expect(200);
      const events = await auditOf('passkey.counter_regressed', id);
      expect(events.map(({ details }) => details)).toEqual([
        expect.objectContaining({ passkeyId: passkey.id, stored: 5, received: 0 }),
        expect.objectContaining({ passkeyId: passkey.id, stored: 5, received: 3 }),
        expect.objectContaining({ passkeyId: passkey.id, stored: 5, received: 5 }),
      ]);
    });

    it('should accept an authenticator that always reports 0 (synced passkeys)', async () => {
      const { token } = await newUser();
      const { authenticator } = await register(token, new SoftAuthenticator(false));
      await signIn(await signedAnswer(authenticator)).expect(200);
      await signIn(await signedAnswer(authenticator)).expect(200);
    });

    it.each([
      ['another origin', { origin: 'https://evil.example' }],
      ['a look-alike origin', { origin: 'http://localhost:3001' }],
      ['another RP ID', { rpId: 'example.com' }],
      ['no user verification', { flags: UP }],
      ['no user presence', { flags: UV }],
      ['another challenge', { challenge: 'c29tZXRoaW5nLWVsc2U' }],
    ])('should refuse a sign-in signed with %s (401)', async (_, ceremony) => {
      const { token } = await newUser();
      const { authenticator } = await register(token);
      await signIn(await signedAnswer(authenticator, ceremony)).expect(401, REFUSED);
      await signIn(await signedAnswer(authenticator)).expect(200);
    });

    it('should refuse an unknown credential and a disabled account (401)', async () => {
      await signIn(await signedAnswer(new SoftAuthenticator())).expect(401, REFUSED);
      const { id, token } = await newUser();
      const { authenticator } = await register(token);
      await app.get(UsersService).setDisabled(id, true);
      await signIn(await signedAnswer(authenticator)).expect(401, REFUSED);
      await app.get(UsersService).setDisabled(id, false);
      await signIn(await signedAnswer(authenticator)).expect(200);
    });

    it('should answer 400 to malformed bodies, and 401 (never 500) to well-formed garbage', async () => {
      const { token } = await newUser();
      const { authenticator } = await register(token);
      const { challengeId, response } = await signedAnswer(authenticator);
      const cases: [object, string][] = [
        [{ response }, 'challengeId is required'],
        [{ challengeId }, 'response is required'],
        [{ challengeId, response: 1 }, 'response must be an object'],
        [
          {
            challengeId,
            response: { ...response, response: { ...response.response, signature: undefined } },
          },
          'response.response.signature must be a non-empty base64url string',
        ],
        [
          {
            challengeId,
            response: { ...response, response: { ...response.response, attestationObject: 'AAAA' } },
          },
          'response.response must only have the properties clientDataJSON, authenticatorData, signature, userHandle',
        ],
        [
          { challengeId, response, name: 'x' },
          'request body must only have the properties challengeId, response',
        ],
      ];
      for (const [body, message] of cases) {
        const answer = await signIn(body);
        expect({ body, status: answer.status, answer: answer.body as unknown }).toEqual({
          body,
          status: 400,
          answer: errorBody(400, 'Bad Request', message),
        });
      }
      await request(server).post('/login/passkey').expect(415);
      await signIn({
        challengeId,
        response: {
          ...response,
          response: { clientDataJSON: 'AAAA', authenticatorData: 'AAAA', signature: 'AAAA' },
        },
      }).expect(401, REFUSED);
      const other = await signedAnswer(authenticator);
      await signIn({
        ...other,
        response: { ...other.response, response: { ...other.response.response, userHandle: 'AAAA' } },
      }).expect(401, REFUSED);
      await request(server)
        .post('/login/passkey/options')
        .send({ x: 1 })
        .expect(400, errorBody(400, 'Bad Request', 'request body must be empty'));
    });
  });

  describe('DELETE /user/passkeys/:id', () => {
    it("should remove one of the caller's passkeys (204), which then signs no one in, and audit it", async () => {
      const { id, token } = await newUser();
      const { authenticator, passkey } = await register(token);
      await request(server).delete(`/user/passkeys/${passkey.id}`).set(bearer(token)).expect(204);
      await request(server).get('/user/passkeys').set(bearer(token)).expect(200, []);
      await signIn(await signedAnswer(authenticator)).expect(401, REFUSED);
      await request(server)
        .delete(`/user/passkeys/${passkey.id}`)
        .set(bearer(token))
        .expect(404, errorBody(404, 'Not Found', 'no such passkey'));
      expect(await auditOf('passkey.removed', id)).toEqual([
        expect.objectContaining({ details: { passkeyId: passkey.id } }),
      ]);
    });

    it("should answer 404 for another user's passkey and leave it, 400 for a malformed id, 401 without a token", async () => {
      const alice = await newUser();
      const bob = await newUser();
      const { authenticator, passkey } = await register(alice.token);
      await request(server)
        .delete(`/user/passkeys/${passkey.id}`)
        .set(bearer(bob.token))
        .expect(404, errorBody(404, 'Not Found', 'no such passkey'));
      await signIn(await signedAnswer(authenticator)).expect(200);
      await request(server)
        .delete('/user/passkeys/not-a-uuid')
        .set(bearer(bob.token))
        .expect(400, errorBody(400, 'Bad Request', 'id must be a UUID'));
      await request(server).delete(`/user/passkeys/${passkey.id}`).expect(401);
      await request(server).get('/user/passkeys').expect(401);
    });
  });
  describe('keys that can never verify', () => {
    const bytes = (buffer: Buffer) => new Uint8Array(buffer);
    const flipped = (buffer: Buffer) => {
      const copy = Buffer.from(buffer);
      copy[copy.length - 1] ^= 1;
      return copy;
    };
    const ec2 = (alg: number, crv: number, x?: Buffer, y?: Buffer) =>
      new Map<number, unknown>([
        [1, 2],
        [3, alg],
        [-1, crv],
        ...(x === undefined ? [] : [[-2, bytes(x)] as [number, unknown]]),
        ...(y === undefined ? [] : [[-3, bytes(y)] as [number, unknown]]),
      ]);

    it.each<[string, (own: { x: Buffer; y: Buffer }) => Map<number, unknown>]>([
      ['no coordinates', () => ec2(-7, 1)],
      ['no y coordinate', ({ x }) => ec2(-7, 1, x)],
      ['a point off the curve', ({ x, y }) => ec2(-7, 1, x, flipped(y))],
      ['coordinates of the wrong length', ({ x, y }) => ec2(-7, 1, x.subarray(1), y)],
      ['ES256 on P-384', ({ x, y }) => ec2(-7, 2, x, y)],
      ['ES512 on P-256', ({ x, y }) => ec2(-36, 1, x, y)],
      ['EdDSA on P-256 (an EC2 key)', ({ x, y }) => ec2(-8, 1, x, y)],
      [
        'an RSA key without its exponent',
        () =>
          new Map<number, unknown>([
            [1, 3],
            [3, -257],
            [-1, bytes(Buffer.alloc(256, 0xff))],
          ]),
      ],
      [
        'a 1024-bit RSA key',
        () =>
          new Map<number, unknown>([
            [1, 3],
            [3, -257],
            [-1, bytes(Buffer.alloc(128, 0xff))],
            [-2, bytes(Buffer.from([1, 0, 1]))],
          ]),
      ],
      [
        'an Ed25519 key of 31 bytes',
        ({ x }) =>
          new Map<number, unknown>([
            [1, 1],
            [3, -8],
            [-1, 6],
            [-2, bytes(x.subarray(1))],
          ]),
      ],
      [
        'an Ed25519 key that is no point (y = p)',
        () =>
          new Map<number, unknown>([
            [1, 1],
            [3, -8],
            [-1, 6],
            [-2, bytes(Buffer.from('ed' + 'ff'.repeat(30) + '7f', 'hex'))],
          ]),
      ],
    ])('should refuse a passkey with %s (400), and store nothing', async (_case, coseKey) => {
      const { token } = await newUser();
      const { challengeId, options } = await registrationOptions(token);
      const response = await request(server)
        .post('/user/passkeys')
        .set(bearer(token))
        .send({ challengeId, response: new SoftAuthenticator().register(options, { coseKey }) })
        .expect(400);
      expect((response.body as { message: string }).message).toMatch(
        /^the passkey's public key can never verify a signature: |^the passkey could not be verified$/,
      );
      await request(server).get('/user/passkeys').set(bearer(token)).expect(200, []);
    });

    it('should name what is wrong with an EC2 key', async () => {
      const { token } = await newUser();
      const { challengeId, options } = await registrationOptions(token);
      const response = await request(server)
        .post('/user/passkeys')
        .set(bearer(token))
        .send({
          challengeId,
          response: new SoftAuthenticator().register(options, {
            coseKey: ({ x, y }) => ec2(-7, 1, x, flipped(y)),
          }),
        })
        .expect(400);
      expect(response.body).toStrictEqual(
        errorBody(
          400,
          'Bad Request',
          "the passkey's public key can never verify a signature: its point is not on the curve",
        ),
      );
    });

    it("should record a passkey sign-in as the account's last login (lastLoginAt)", async () => {
      const { id, token } = await newUser();
      const { authenticator } = await register(token);
      const users = app.get(UsersService);
      const before = (await users.get(id)).lastLoginAt;
      await new Promise((resolve) => setTimeout(resolve, 20));
      await signIn(await signedAnswer(authenticator)).expect(200);
      let after = (await users.get(id)).lastLoginAt;
      for (let i = 0; i < 50 && after?.getTime() === before?.getTime(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        after = (await users.get(id)).lastLoginAt;
      }
      expect(after).not.toBeNull();
      expect(after!.getTime()).toBeGreaterThan(before?.getTime() ?? 0);
    });
  });
});
