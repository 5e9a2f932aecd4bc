import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { UsersService } from '../../src/users/users.service.js';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody, INVALID_CREDENTIALS_BODY, UNSUPPORTED_MEDIA_TYPE_BODY } from '../support/expected.js';

const decode = (token: string) =>
  token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);

describe('POST /login', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
    await app.get(UsersService).create('Zoë', 'emoji 🔑 and spaces');
  });

  afterAll(() => app.close());

  const login = (body: unknown) =>
    request(server)
      .post('/login')
      .send(body as object);

  describe('with the right credentials', () => {
    it('should answer 200 with a token, never cached', async () => {
      const response = await login({ name: 'admin', password: '1234' })
        .expect(200)
        .expect('content-type', /^application\/json/)
        .expect('cache-control', 'no-store');
      expect(response.body).toEqual({
        token: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      });
    });

    it('should sign ES256 naming the key, with the documented claims and a 15-minute lifetime', async () => {
      const { body } = await login({ name: 'admin', password: '1234' }).expect(200);
      const [header, claims] = decode((body as { token: string }).token);
      expect(header).toEqual({ alg: 'ES256', typ: 'JWT', kid: expect.stringMatching(/^[\w-]{43}$/) });
      // The kid names a key the JWKS publishes.
      const jwks = await request(server).get('/.well-known/jwks.json').expect(200);
      expect((jwks.body as { keys: { kid: string }[] }).keys.map(({ kid }) => kid)).toContain(header.kid);
      expect(claims).toEqual({
        sub: '1',
        id: 1,
        name: 'admin',
        iat: expect.any(Number),
        exp: (claims.iat as number) + 900,
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        iss: 'nest-jwt-auth',
        aud: 'nest-jwt-auth',
      });
    });

    it('should give two logins in the same second different tokens', async () => {
      const [first, second] = await Promise.all([
        login({ name: 'admin', password: '1234' }).expect(200),
        login({ name: 'admin', password: '1234' }).expect(200),
      ]);
      expect((first.body as { token: string }).token).not.toBe((second.body as { token: string }).token);
    });

    it('should match the name case-insensitively and any characters in the password', async () => {
      await login({ name: 'ADMIN', password: '1234' }).expect(200);
      const { body } = await login({ name: 'zoë', password: 'emoji 🔑 and spaces' }).expect(200);
      expect(decode((body as { token: string }).token)[1].name).toBe('Zoë');
    });

    it('should accept application/json with a charset', () =>
      request(server)
        .post('/login')
        .set('Content-Type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ name: 'admin', password: '1234' }))
        .expect(200));
  });

  describe('with wrong credentials', () => {
    it('should answer an unknown name and a wrong password with the same bytes', async () => {
      const unknown = await login({ name: 'nobody', password: '1234' }).expect(400);
      const wrong = await login({ name: 'admin', password: '12345' }).expect(400);
      expect(unknown.body).toEqual(INVALID_CREDENTIALS_BODY);
      expect(unknown.text).toBe(wrong.text);
      expect(unknown.headers['content-type']).toBe(wrong.headers['content-type']);
    });

    it('should compare passwords exactly', async () => {
      await login({ name: 'admin', password: '1234 ' }).expect(400);
      await login({ name: 'admin', password: ' 1234' }).expect(400);
      await login({ name: 'zoë', password: 'EMOJI 🔑 AND SPACES' }).expect(400);
    });
  });

  describe('with a malformed body', () => {
    const cases: [string, unknown, RegExp][] = [
      ['an array', [], /^request body must be a JSON object$/],
      ['a string', 'admin', /^request body must be a JSON object$/],
      ['a number', 42, /^request body must be a JSON object$/],
      ['null', null, /^request body must be a JSON object$/],
      ['an empty object', {}, /^name is required; password is required$/],
      ['no password', { name: 'admin' }, /^password is required$/],
      ['no name', { password: '1234' }, /^name is required$/],
      ['a numeric name', { name: 1, password: '1234' }, /^name must be a string$/],
      ['an object password', { name: 'admin', password: { $ne: '' } }, /^password must be a string$/],
      ['an array password', { name: 'admin', password: ['1234'] }, /^password must be a string$/],
      ['a boolean name', { name: true, password: '1234' }, /^name must be a string$/],
      ['an empty name', { name: '', password: '1234' }, /^name must not be empty$/],
      ['an empty password', { name: 'admin', password: '' }, /^password must not be empty$/],
      [
        'a 65-character name',
        { name: 'a'.repeat(65), password: '1234' },
        /^name must be at most 64 characters$/,
      ],
      [
        'a 1025-byte password',
        { name: 'admin', password: 'p'.repeat(1025) },
        /^password must be at most 1024 bytes$/,
      ],
      [
        'a 513 × 2-byte password',
        { name: 'admin', password: 'é'.repeat(513) },
        /^password must be at most 1024 bytes$/,
      ],
      [
        'an extra field',
        { name: 'admin', password: '1234', isAdmin: true },
        /^request body must only have the properties name, password$/,
      ],
    ];

    it.each(cases)(
      'should answer %s with 400 naming the field and the rule',
      async (_case, body, message) => {
        const response = await request(server)
          .post('/login')
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(body))
          .expect(400);
        expect(response.body).toEqual(
          errorBody(400, 'Bad Request', expect.stringMatching(message) as string),
        );
      },
    );

    it('should accept a name of exactly 64 characters and a password of exactly 1024 bytes (then fail as wrong)', async () => {
      const response = await login({ name: 'a'.repeat(64), password: 'p'.repeat(1024) }).expect(400);
      expect(response.body).toEqual(INVALID_CREDENTIALS_BODY);
    });

    it('should never echo the input', async () => {
      const marker = '<script>marker-4711</script>';
      const responses = await Promise.all([
        login({ name: marker.repeat(4), password: '1234' }),
        login({ name: 'admin', password: marker, [marker]: marker }),
        login({ name: 7, password: marker }),
        request(server).post('/login').set('Content-Type', 'application/json').send(`{"name": "${marker}"`),
      ]);
      for (const response of responses) {
        expect(response.status).toBe(400);
        expect(response.text).not.toContain('marker-4711');
      }
    });

    it.each([
      ['truncated JSON', '{"name": "admin", "password": '],
      ['a trailing comma', '{"name": "admin", "password": "1234",}'],
      ['single quotes', "{'name': 'admin'}"],
      ['a __proto__ key', '{"__proto__": {"isAdmin": true}, "name": "admin", "password": "1234"}'],
    ])('should answer %s with 400 and our own words', async (_case, text) => {
      const response = await request(server)
        .post('/login')
        .set('Content-Type', 'application/json')
        .send(text)
        .expect(400);
      expect(response.body).toEqual(errorBody(400, 'Bad Request', 'request body must be valid JSON'));
    });

    it('should answer an empty JSON body with 400', async () => {
      const response = await request(server)
        .post('/login')
        .set('Content-Type', 'application/json')
        .expect(400);
      expect(response.body).toEqual(errorBody(400, 'Bad Request', 'request body must not be empty'));
    });
  });

  describe('with another content type', () => {
    it.each([
      ['form-encoded', 'application/x-www-form-urlencoded', 'name=admin&password=1234'],
      ['text/plain', 'text/plain', '{"name":"admin","password":"1234"}'],
      [
        'multipart',
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nadmin\r\n--x--',
      ],
      ['XML', 'application/xml', '<login/>'],
    ])('should answer %s with 415', async (_case, type, body) => {
      const response = await request(server).post('/login').set('Content-Type', type).send(body).expect(415);
      expect(response.body).toEqual(UNSUPPORTED_MEDIA_TYPE_BODY);
    });

    it('should answer a body without a content type with 415', async () => {
      const response = await request(server)
        .post('/login')
        .unset('Content-Type')
        .send(Buffer.from('{"name":"admin","password":"1234"}'))
        .expect(415);
      expect(response.body).toEqual(UNSUPPORTED_MEDIA_TYPE_BODY);
    });

    it('should answer no body at all with 415', async () => {
      const response = await request(server).post('/login').expect(415);
      expect(response.body).toEqual(UNSUPPORTED_MEDIA_TYPE_BODY);
    });
  });

  describe('with a large body', () => {
    it('should answer a body over 16 KiB with 413', async () => {
      const response = await login({ name: 'admin', password: 'x'.repeat(16 * 1024) }).expect(413);
      expect(response.body).toEqual(
        errorBody(413, 'Payload Too Large', 'request body must be at most 16384 bytes'),
      );
    });

    it('should keep serving afterwards', () => login({ name: 'admin', password: '1234' }).expect(200));
  });
});
