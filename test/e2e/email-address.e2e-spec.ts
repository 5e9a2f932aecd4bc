import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody } from '../support/expected.js';
import { tokenFor } from '../support/session-client.js';

const PASSWORD = 'correct horse battery staple';

describe('An account’s mail address', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let admin: string;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
    admin = await tokenFor(server, 'admin', '1234');
  });
  afterAll(() => app.close());

  describe('POST /admin/users', () => {
    it('should create an account with an unverified address, GET /user staying {id, name}', async () => {
      const created = await request(server)
        .post('/admin/users')
        .set(bearer(admin))
        .send({ name: 'mia', password: PASSWORD, email: 'Mia@Example.com' })
        .expect(201);
      expect(created.body).toMatchObject({ name: 'mia', email: 'Mia@Example.com', emailVerified: false });
      const token = await tokenFor(server, 'mia', PASSWORD);
      const user = await request(server).get('/user').set(bearer(token)).expect(200);
      expect(user.body).toEqual({ id: (created.body as { id: number }).id, name: 'mia' });
      await request(server)
        .get('/user/email')
        .set(bearer(token))
        .expect(200)
        .expect('cache-control', 'no-store')
        .expect({ email: 'Mia@Example.com', verified: false, pending: null });
    });

    it.each([
      [
        'a line break (header injection)',
        'eve@example.com\r\nBcc: all@example.com',
        'email must not contain line breaks or control characters',
      ],
      [
        'a display name',
        'Eve <eve@example.com>',
        'email must be one address such as name@example.com (no display name, no list)',
      ],
      [
        'a list',
        'eve@example.com,bob@example.com',
        'email must be one address such as name@example.com (no display name, no list)',
      ],
      [
        'no @',
        'eve.example.com',
        'email must be one address such as name@example.com (no display name, no list)',
      ],
      [
        'more than 254 bytes',
        `${'e'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(63)}.com`,
        'email must be at most 254 bytes',
      ],
    ])('should refuse an address with %s: 400, not echoing it', async (_, email, message) => {
      const response = await request(server)
        .post('/admin/users')
        .set(bearer(admin))
        .send({ name: 'eve', password: PASSWORD, email })
        .expect(400);
      expect(response.body).toEqual(errorBody(400, 'Bad Request', message));
      await request(server)
        .get('/admin/users?search=eve')
        .set(bearer(admin))
        .expect(200, { items: [], nextCursor: null });
    });
  });

  describe('PATCH /admin/users/:id', () => {
    it('should set the address with the rest of the change', async () => {
      const { body } = await request(server)
        .post('/admin/users')
        .set(bearer(admin))
        .send({ name: 'noah', password: PASSWORD })
        .expect(201);
      const id = (body as { id: number }).id;
      expect(body).toMatchObject({ email: null, emailVerified: false });
      const updated = await request(server)
        .patch(`/admin/users/${id}`)
        .set(bearer(admin))
        .send({ email: 'noah@example.com', roles: ['user', 'admin'] })
        .expect(200);
      expect(updated.body).toMatchObject({
        email: 'noah@example.com',
        emailVerified: false,
        roles: ['admin', 'user'],
      });
    });

    it('should change nothing when the address is refused', async () => {
      const { body } = await request(server)
        .post('/admin/users')
        .set(bearer(admin))
        .send({ name: 'olga', password: PASSWORD })
        .expect(201);
      const id = (body as { id: number }).id;
      await request(server)
        .patch(`/admin/users/${id}`)
        .set(bearer(admin))
        .send({ email: 'olga@example.com\n', disabled: true })
        .expect(400);
      await request(server)
        .get(`/admin/users/${id}`)
        .set(bearer(admin))
        .expect(200)
        .expect((response) => expect(response.body).toMatchObject({ email: null, disabled: false }));
    });
  });

  describe('GET /user/email', () => {
    it('should require authentication', () =>
      request(server)
        .get('/user/email')
        .expect(401)
        .expect('www-authenticate', /^Bearer/));

    it('should answer null for an account without one', async () => {
      await request(server)
        .get('/user/email')
        .set(bearer(admin))
        .expect(200, { email: null, verified: false, pending: null });
    });
  });
});
