import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { NAME_PATTERN } from '../../src/common/validation/account-name.js';
import {
  NAME_MAX_LENGTH,
  PASSWORD_MAX_BYTES,
  PASSWORD_MIN_LENGTH,
} from '../../src/common/validation/limits.js';
import { errorBody } from '../support/expected.js';

// Set before AppModule is imported (ConfigModule reads the environment then).
process.env.SIGNUP_ENABLED = 'true';

describe('POST /users (SIGNUP_ENABLED=true)', () => {
  let app: NestFastifyApplication;
  let server: import('node:http').Server;

  beforeAll(async () => {
    const { createTestApp, httpServer } = await import('../support/app.js');
    app = await createTestApp();
    server = httpServer(app);
  });

  afterAll(() => app.close());

  const signUp = (body: unknown) =>
    request(server)
      .post('/users')
      .send(body as object);

  it('should create the account with 201 {id, name}, and let it log in', async () => {
    const response = await signUp({ name: 'Dana Scully', password: 'trust no 1 🛸' }).expect(201);
    expect(response.body).toEqual({ id: expect.any(Number), name: 'Dana Scully' });
    await request(server).post('/login').send({ name: 'dana scully', password: 'trust no 1 🛸' }).expect(200);
  });

  it('should answer a taken name, compared case-insensitively, with 409', async () => {
    await signUp({ name: 'mulder', password: 'i want to believe' }).expect(201);
    const response = await signUp({ name: 'MULDER', password: 'another password' }).expect(409);
    expect(response.body).toEqual(errorBody(409, 'Conflict', 'name is already taken'));
    await signUp({ name: 'admin', password: 'taken by the seed' }).expect(409);
  });

  it('should let one of two simultaneous sign-ups for the same name win', async () => {
    const responses = await Promise.all([
      signUp({ name: 'skinner', password: 'first password' }),
      signUp({ name: 'Skinner', password: 'second password' }),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it.each([
    ['a short password', { name: 'krycek', password: 'short' }, 'password must be at least 8 characters'],
    [
      'a name with surrounding spaces',
      { name: ' krycek', password: 'long enough' },
      /^name must start with a letter or digit/,
    ],
    [
      'a name with a control character',
      { name: 'kry\u0000cek', password: 'long enough' },
      /^name may hold only letters, digits/,
    ],
    [
      'a 65-character name',
      { name: 'k'.repeat(65), password: 'long enough' },
      'name must be at most 64 characters',
    ],
    [
      'an extra field',
      { name: 'krycek', password: 'long enough', admin: true },
      /^request body must only have/,
    ],
  ])('should refuse %s with 400', async (_case, body, message) => {
    const response = await signUp(body).expect(400);
    expect(response.body).toEqual(
      errorBody(
        400,
        'Bad Request',
        typeof message === 'string' ? message : (expect.stringMatching(message) as string),
      ),
    );
  });

  it('should be in the OpenAPI document, public, its body schema stating the name pattern and limits', async () => {
    const response = await request(server).get('/docs/openapi.json').expect(200);
    const { paths, components } = response.body as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
      components: { schemas: Record<string, object> };
    };
    expect(paths['/users']?.post?.security).toEqual([]);
    expect(components.schemas.SignUpDto).toMatchObject({
      additionalProperties: false,
      properties: {
        name: { pattern: NAME_PATTERN, maxLength: NAME_MAX_LENGTH },
        password: {
          minLength: PASSWORD_MIN_LENGTH,
          maxLength: PASSWORD_MAX_BYTES,
          'x-maxBytes': PASSWORD_MAX_BYTES,
        },
      },
    });
  });

  it('should be public but refuse non-JSON with 415', () =>
    request(server).post('/users').type('form').send('name=x&password=yyyyyyyy').expect(415));
});
