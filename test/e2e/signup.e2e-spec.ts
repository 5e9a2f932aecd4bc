import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { NAME_PATTERN } from '../../src/common/validation/account-name.js';
import {
  NAME_MAX_LENGTH,
  PASSWORD_MAX_BYTES,
  PASSWORD_MIN_LENGTH,
} from '../../src/common/validation/limits.js';
import type { ParsedMail } from 'mailparser';
import { errorBody } from '../support/expected.js';
import { tokenFor } from '../support/session-client.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';

// Set before AppModule is imported (ConfigModule reads the environment then).
process.env.SIGNUP_ENABLED = 'true';

const PUBLIC_URL = 'https://auth.example.test';

/** The token of the verification link in a delivered mail (its text body). */
function verifyTokenIn(mail: ParsedMail): string {
  const match = new RegExp(`${PUBLIC_URL}/verify-email#token=([A-Za-z0-9_-]+)`).exec(mail.text ?? '');
  if (match === null) {
    throw new Error('no verify-email link in the mail');
  }
  return match[1];
}

describe('POST /users (SIGNUP_ENABLED=true)', () => {
  let app: NestFastifyApplication;
  let server: import('node:http').Server;
  let smtp: TestSmtp;

  beforeAll(async () => {
    smtp = await startSmtp();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    process.env.PUBLIC_URL = PUBLIC_URL;
    const { createTestApp, httpServer } = await import('../support/app.js');
    app = await createTestApp();
    server = httpServer(app);
  });

  afterAll(async () => {
    await app.close();
    await smtp.close();
    delete process.env.SMTP_URL;
    delete process.env.PUBLIC_URL;
  });

  const emailOf = async (name: string, password: string) =>
    (
      await request(server)
        .get('/user/email')
        .set('Authorization', `Bearer ${await tokenFor(server, name, password)}`)
        .expect(200)
    ).body as unknown;

  const signUp = (body: unknown) =>
    request(server)
      .post('/users')
      .send(body as object);

  it('should create the account with 201 {id, name}, and let it log in', async () => {
    const response = await signUp({ name: 'Dana Scully', password: 'trust no 1 🛸' }).expect(201);
    expect(response.body).toEqual({ id: expect.any(Number), name: 'Dana Scully' });
    await request(server).post('/login').send({ name: 'dana scully', password: 'trust no 1 🛸' }).expect(200);
  });

  it('should tell the pages that sign-up is on, the address optional', () =>
    request(server)
      .get('/pages/config')
      .expect(200, { signUp: true, signUpRequiresEmail: false, mail: true }));

  it('should take no address unless given: the account has none and no mail is sent', async () => {
    const before = smtp.messages.length;
    await signUp({ name: 'frohike', password: 'lone gunman' }).expect(201);
    expect(await emailOf('frohike', 'lone gunman')).toEqual({ email: null, verified: false, pending: null });
    expect(smtp.messages).toHaveLength(before);
  });

  it('should store a given address unverified and mail it a link that verifies it', async () => {
    const before = smtp.messages.length;
    const response = await signUp({
      name: 'langly',
      password: 'lone gunman',
      email: 'Langly@Example.com',
    }).expect(201);
    // The answer is the account, as without an address: nothing more.
    expect(response.body).toEqual({ id: expect.any(Number), name: 'langly' });
    expect(await emailOf('langly', 'lone gunman')).toEqual({
      email: 'Langly@Example.com',
      verified: false,
      pending: null,
    });
    const mail = await smtp.waitFor(before + 1);
    expect(mail.to).toMatchObject({ text: 'Langly@example.com' });
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.html).toContain(`href="${PUBLIC_URL}/verify-email#token=`);
    await request(server)
      .post('/email/verify')
      .send({ token: verifyTokenIn(mail) })
      .expect(204);
    expect(await emailOf('langly', 'lone gunman')).toEqual({
      email: 'Langly@Example.com',
      verified: true,
      pending: null,
    });
    expect(smtp.messages).toHaveLength(before + 1);
  });

  it('should create nothing and mail nothing when the name is taken, even with an address', async () => {
    await signUp({ name: 'byers', password: 'lone gunman' }).expect(201);
    const before = smtp.messages.length;
    await signUp({ name: 'Byers', password: 'lone gunman', email: 'byers@example.com' }).expect(409);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(smtp.messages).toHaveLength(before);
    expect(await emailOf('byers', 'lone gunman')).toEqual({ email: null, verified: false, pending: null });
  });

  it.each([
    [
      'a display name',
      'Jimmy <jimmy@example.com>',
      'email must be one address such as name@example.com (no display name, no list)',
    ],
    [
      'a list',
      'a@example.com,b@example.com',
      'email must be one address such as name@example.com (no display name, no list)',
    ],
    [
      'a header injection',
      'jimmy@example.com\r\nBcc: x@example.com',
      'email must not contain line breaks or control characters',
    ],
    ['a 255-byte address', `${'j'.repeat(243)}@example.com`, 'email must be at most 254 bytes'],
    ['a number', 42, /^email /],
  ])('should refuse %s as the address with 400, creating no account', async (_case, email, message) => {
    const before = smtp.messages.length;
    const response = await signUp({ name: 'jimmy', password: 'lone gunman', email }).expect(400);
    expect(response.body).toEqual(
      errorBody(
        400,
        'Bad Request',
        typeof message === 'string' ? message : (expect.stringMatching(message) as string),
      ),
    );
    await request(server).post('/login').send({ name: 'jimmy', password: 'lone gunman' }).expect(400);
    expect(smtp.messages).toHaveLength(before);
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
        email: { format: 'email', maxLength: 254 },
      },
      required: ['name', 'password'],
    });
  });

  it('should be public but refuse non-JSON with 415', () =>
    request(server).post('/users').type('form').send('name=x&password=yyyyyyyy').expect(415));
});

describe('POST /users (SIGNUP_REQUIRE_EMAIL=true)', () => {
  let app: NestFastifyApplication;
  let server: import('node:http').Server;
  let smtp: TestSmtp;

  beforeAll(async () => {
    smtp = await startSmtp();
    process.env.SMTP_URL = `smtp://127.0.0.1:${smtp.port}`;
    process.env.PUBLIC_URL = PUBLIC_URL;
    process.env.SIGNUP_REQUIRE_EMAIL = 'true';
    const { createTestApp, httpServer } = await import('../support/app.js');
    app = await createTestApp();
    server = httpServer(app);
  });

  afterAll(async () => {
    await app.close();
    await smtp.close();
    delete process.env.SMTP_URL;
    delete process.env.PUBLIC_URL;
    delete process.env.SIGNUP_REQUIRE_EMAIL;
  });

  it('should tell the pages that the address is required', () =>
    request(server)
      .get('/pages/config')
      .expect(200, { signUp: true, signUpRequiresEmail: true, mail: true }));

  it('should refuse a sign-up without an address with 400, creating no account', async () => {
    const response = await request(server)
      .post('/users')
      .send({ name: 'reyes', password: 'super soldier' })
      .expect(400);
    expect(response.body).toEqual(errorBody(400, 'Bad Request', 'email is required'));
    await request(server).post('/login').send({ name: 'reyes', password: 'super soldier' }).expect(400);
  });

  it('should create the account with its address and mail the link', async () => {
    await request(server)
      .post('/users')
      .send({ name: 'reyes', password: 'super soldier', email: 'reyes@example.com' })
      .expect(201);
    const mail = await smtp.waitFor(1);
    expect(mail.to).toMatchObject({ text: 'reyes@example.com' });
    await request(server)
      .post('/email/verify')
      .send({ token: verifyTokenIn(mail) })
      .expect(204);
  });
});
