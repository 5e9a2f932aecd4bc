import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { UsersService } from '../../src/users/users.service.js';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody } from '../support/expected.js';
import { login } from '../support/session-client.js';
import {
  adminClaims,
  encode,
  forge,
  HS256,
  now,
  serviceHeader,
  serviceKey,
  signAsService,
  type ServiceKey,
} from '../support/tokens.js';

const INVALID = 'Bearer error="invalid_token", error_description="The access token is invalid"';
const EXPIRED = 'Bearer error="invalid_token", error_description="The access token expired"';

describe('GET /user', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let token: string;
  let key: ServiceKey;

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
    ({ token } = await login(server, 'admin', '1234'));
    key = serviceKey(app);
  });

  /** Signed with the service's own key: only the defect a test puts in can be refused. */
  const signed = (payload: unknown, header: unknown = serviceHeader(key)) =>
    signAsService(key, header, payload);
  const withHeader = (extra: Record<string, unknown>) => ({ ...serviceHeader(key), ...extra });

  afterAll(() => app.close());

  const getUser = (authorization?: string) => {
    const call = request(server).get('/user');
    return authorization === undefined ? call : call.set('Authorization', authorization);
  };

  /** A refused request: 401, the RFC 6750 challenge, our JSON body, nothing cached. */
  async function expectRefused(authorization: string | undefined, challenge = INVALID) {
    const response = await getUser(authorization)
      .expect(401)
      .expect('www-authenticate', challenge)
      .expect('content-type', /^application\/json/)
      .expect('cache-control', 'no-store');
    expect(response.body).toEqual(
      errorBody(
        401,
        'Unauthorized',
        challenge === 'Bearer' ? (expect.any(String) as string) : /description="(.*)"/.exec(challenge)![1],
      ),
    );
  }

  it('should return the caller as {id, name}, never cached', async () => {
    const response = await getUser(`Bearer ${token}`)
      .expect(200)
      .expect('content-type', /^application\/json/)
      .expect('cache-control', 'no-store');
    expect(response.body).toEqual({ id: 1, name: 'admin' });
  });

  it('should accept the scheme in any case', async () => {
    await getUser(`bearer ${token}`).expect(200);
    await getUser(`BEARER ${token}`).expect(200);
  });

  describe('without a bearer token', () => {
    it('should require authentication with a bare challenge', () => expectRefused(undefined, 'Bearer'));
    it('should treat another scheme as no token', () => expectRefused('Basic YWRtaW46MTIzNA==', 'Bearer'));
    it('should not read a token from the query string', () =>
      request(server).get(`/user?access_token=${token}`).expect(401));
    it('should not read a token from a cookie', () =>
      request(server).get('/user').set('Cookie', `token=${token}; access_token=${token}`).expect(401));
  });

  describe('with a malformed Authorization header', () => {
    it.each([
      ['trailing junk', () => `Bearer ${token} junk`],
      ['two tokens', () => `Bearer ${token} ${token}`],
      ['a comma-joined second token', () => `Bearer ${token},${token}`],
      ['no token', () => 'Bearer'],
      ['an empty token', () => 'Bearer '],
      ['a tab separator', () => `Bearer\t${token}`],
      ['a quoted token', () => `Bearer "${token}"`],
      ['not a JWT', () => 'Bearer abc'],
      ['two segments', () => `Bearer ${token.split('.').slice(0, 2).join('.')}`],
    ])('should refuse %s', (_case, header) => expectRefused(header()));

    it('should refuse a second Authorization header', async () => {
      const response = await request(server)
        .get('/user')
        .set('Authorization', [`Bearer ${token}`, `Bearer ${token}`] as unknown as string)
        .expect(401);
      expect(response.headers['www-authenticate']).toBe(INVALID);
    });
  });

  describe('with a forged or unacceptable token', () => {
    const header = (token: string) => `Bearer ${token}`;
    const [h, p, s] = [0, 1, 2].map((i) => () => token.split('.')[i]);
    const flip = (text: string) => text.slice(0, -2) + (text.at(-2) === 'A' ? 'B' : 'A') + text.at(-1);

    it.each([
      ['alg none, no signature', () => `${encode({ alg: 'none', typ: 'JWT' })}.${encode(adminClaims())}.`],
      ['alg None', () => `${encode({ alg: 'None', typ: 'JWT' })}.${encode(adminClaims())}.`],
      ['alg NONE with the original signature', () => `${encode({ alg: 'NONE', typ: 'JWT' })}.${p()}.${s()}`],
      ['a flipped signature', () => `${h()}.${p()}.${flip(s())}`],
      ['no signature', () => `${h()}.${p()}.`],
      [
        'claims changed under the original signature',
        () => `${h()}.${encode({ ...adminClaims(), id: 2, sub: '2' })}.${s()}`,
      ],
      [
        'HS384 with the real secret',
        () => forge({ alg: 'HS384', typ: 'JWT' }, adminClaims(), { hash: 'sha384' }),
      ],
      [
        'HS512 with the real secret',
        () => forge({ alg: 'HS512', typ: 'JWT' }, adminClaims(), { hash: 'sha512' }),
      ],
      ['RS256 header over an HMAC signature', () => forge({ alg: 'RS256', typ: 'JWT' }, adminClaims())],
      ['HS256 with JWT_SECRET (it only protects the stored keys)', () => forge(HS256, adminClaims())],
      ['HS256 with JWT_SECRET, naming the real kid', () => forge({ ...HS256, kid: key.kid }, adminClaims())],
      ['the real key without kid', () => signed(adminClaims(), { alg: key.algorithm, typ: 'JWT' })],
      ['the real key under an unknown kid', () => signed(adminClaims(), withHeader({ kid: 'x'.repeat(43) }))],
      [
        'another secret',
        () => forge(HS256, adminClaims(), { secret: 'another-secret-of-at-least-32-bytes!!' }),
      ],
      ['an empty secret', () => forge(HS256, adminClaims(), { secret: '' })],
      ['no exp', () => signed(adminClaims({ exp: undefined }))],
      ['no iat', () => signed(adminClaims({ iat: undefined }))],
      ['exp as a string', () => signed(adminClaims({ exp: String(now() + 3600) }))],
      ['iat in the future', () => signed(adminClaims({ iat: now() + 600, exp: now() + 1200 }))],
      [
        'a lifetime longer than configured',
        () => signed(adminClaims({ iat: now(), exp: now() + 86400 + 60 })),
      ],
      ['a wrong issuer', () => signed(adminClaims({ iss: 'someone-else' }))],
      ['a wrong audience', () => signed(adminClaims({ aud: 'someone-else' }))],
      ['an audience array', () => signed(adminClaims({ aud: ['nest-jwt-auth', 'x'] }))],
      ['a payload that is an array', () => signed([adminClaims()])],
      ['a payload that is a string', () => signed('admin')],
      ['an empty payload', () => signed({})],
      ['an unknown crit header', () => signed(adminClaims(), withHeader({ crit: ['exp'] }))],
      ['typ other than JWT', () => signed(adminClaims(), withHeader({ typ: 'at+jwt' }))],
      ['no typ', () => signed(adminClaims(), { alg: key.algorithm, kid: key.kid })],
      ['a kid header', () => forge({ ...HS256, kid: '../../../../dev/null' }, adminClaims())],
      ['a jku header', () => signed(adminClaims(), withHeader({ jku: 'http://127.0.0.1:9/jwks.json' }))],
      ['an inline jwk', () => forge({ ...HS256, jwk: { kty: 'oct', k: 'AAAA' } }, adminClaims())],
      ['an id that is a string', () => signed(adminClaims({ id: '1' }))],
      ['sub not matching id', () => signed(adminClaims({ sub: '2' }))],
      ['an unknown claim', () => signed(adminClaims({ admin: true }))],
      ['a user that does not exist', () => signed(adminClaims({ id: 999, sub: '999' }))],
    ])('should refuse %s', (_case, build) => expectRefused(header(build())));

    it('should say "expired" for an expired token', () =>
      expectRefused(header(signed(adminClaims({ iat: now() - 7200, exp: now() - 3600 }))), EXPIRED));

    it('should accept a well-formed token signed with the real key', () =>
      getUser(header(signed(adminClaims()))).expect(200));

    it('should refuse the tokens of a disabled user at once, and keep them refused once re-enabled', async () => {
      const users = app.get(UsersService);
      const carol = await users.create('carol', 'carol password');
      const login = () => request(server).post('/login').send({ name: 'carol', password: 'carol password' });
      const { body } = await login().expect(200);
      const carolToken = (body as { token: string }).token;
      await getUser(header(carolToken)).expect(200);
      await users.setDisabled(carol.id, true);
      await expectRefused(header(carolToken));
      await login().expect(400);
      await users.setDisabled(carol.id, false);
      // Disabling ended the session: its tokens stay dead; a new login works again.
      await expectRefused(header(carolToken));
      await login().expect(200);
    });

    it('should still serve the genuine token afterwards', () => getUser(`Bearer ${token}`).expect(200));
  });
});
