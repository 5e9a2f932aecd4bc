import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jest } from '@jest/globals';
import request from 'supertest';
import { AuditStore } from '../../src/audit/audit-store.js';
import { LAST_ADMIN_MESSAGE } from '../../src/users/users.service.js';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody } from '../support/expected.js';
import { login, tokenFor } from '../support/session-client.js';

const PASSWORD = 'correct horse battery staple';
const FORBIDDEN = errorBody(403, 'Forbidden', 'this route needs the admin role');
/** An ISO date-time or null (jest 30 has no expect.toBeOneOf here). */
const DATE_OR_NULL = {
  asymmetricMatch: (value: unknown) =>
    value === null || (typeof value === 'string' && !Number.isNaN(Date.parse(value))),
  toString: () => 'DateOrNull',
};
const USER_VIEW = {
  id: expect.any(Number),
  name: expect.any(String),
  roles: expect.any(Array),
  disabled: expect.any(Boolean),
  createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
  lastLoginAt: DATE_OR_NULL,
  email: null,
  emailVerified: false,
};

describe('The admin API', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let admin: string;

  const as = (token: string) => ({
    get: (url: string) => request(server).get(url).set('Authorization', `Bearer ${token}`),
    post: (url: string, body: object) =>
      request(server).post(url).set('Authorization', `Bearer ${token}`).send(body),
    patch: (url: string, body: object) =>
      request(server).patch(url).set('Authorization', `Bearer ${token}`).send(body),
    put: (url: string, body: object) =>
      request(server).put(url).set('Authorization', `Bearer ${token}`).send(body),
    delete: (url: string) => request(server).delete(url).set('Authorization', `Bearer ${token}`),
  });
  /** Creates a user through the API; its id. */
  const create = async (name: string, roles?: string[]) => {
    const response = await as(admin)
      .post('/admin/users', { name, password: PASSWORD, ...(roles && { roles }) })
      .expect(201);
    return (response.body as { id: number }).id;
  };
  const adminId = async () => {
    const { body } = await as(admin).get('/admin/users?search=admin').expect(200);
    return (body as { items: { id: number; name: string }[] }).items.find((user) => user.name === 'admin')!
      .id;
  };

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
    admin = await tokenFor(server, 'admin', '1234');
  });

  afterAll(() => app.close());

  describe('access', () => {
    it('should require authentication: 401 with the RFC 6750 challenge', async () => {
      for (const url of ['/admin/users', '/admin/users/1', '/admin/audit']) {
        await request(server)
          .get(url)
          .expect(401)
          .expect('www-authenticate', 'Bearer')
          .expect((response) =>
            expect(response.body).toEqual(errorBody(401, 'Unauthorized', expect.any(String) as string)),
          );
      }
      await request(server)
        .get('/admin/users')
        .set('Authorization', 'Bearer not.a.token')
        .expect(401)
        .expect('www-authenticate', /^Bearer error="invalid_token"/);
    });

    it('should answer a valid token without the admin role with 403 JSON, on every route', async () => {
      await create('plain-user');
      const token = await tokenFor(server, 'plain-user', PASSWORD);
      const calls = [
        as(token).get('/admin/users'),
        as(token).post('/admin/users', { name: 'x', password: PASSWORD }),
        as(token).get('/admin/users/1'),
        as(token).patch('/admin/users/1', { disabled: true }),
        as(token).put('/admin/users/1/password', { newPassword: PASSWORD }),
        as(token).delete('/admin/users/1'),
        as(token).get('/admin/users/1/sessions'),
        as(token).delete('/admin/users/1/sessions'),
        as(token).get('/admin/audit'),
      ];
      for (const call of calls) {
        const response = await call;
        expect({ status: response.status, body: response.body as unknown }).toEqual({
          status: 403,
          body: FORBIDDEN,
        });
        expect(response.headers['www-authenticate']).toBeUndefined();
        expect(response.headers['cache-control']).toBe('no-store');
      }
    });
  });

  describe('POST /admin/users', () => {
    it('should create a user (role user by default) and answer 201 with the account, no hash', async () => {
      const response = await as(admin)
        .post('/admin/users', { name: 'Carol', password: PASSWORD })
        .expect(201);
      expect(response.body).toEqual({
        ...USER_VIEW,
        name: 'Carol',
        roles: ['user'],
        disabled: false,
        lastLoginAt: null,
      });
      expect(response.text).not.toMatch(/argon2|hash|password/i);
      await tokenFor(server, 'carol', PASSWORD);
    });

    it('should create an admin when asked', async () => {
      const response = await as(admin)
        .post('/admin/users', { name: 'dana', password: PASSWORD, roles: ['admin'] })
        .expect(201);
      expect((response.body as { roles: string[] }).roles).toEqual(['admin']);
    });

    it('should answer 409 for a taken name, compared case-insensitively, and for a look-alike; 400 off-policy', async () => {
      await as(admin)
        .post('/admin/users', { name: 'CAROL', password: PASSWORD })
        .expect(409)
        .expect((response) => expect((response.body as { statusCode: number }).statusCode).toBe(409));
      await as(admin).post('/admin/users', { name: 'caro1', password: PASSWORD }).expect(409);
      await as(admin).post('/admin/users', { name: 'carol\u200b', password: PASSWORD }).expect(400);
    });

    it.each([
      [{ name: 'erin', password: PASSWORD, roles: ['root'] }, 'roles must hold only admin, user'],
      [{ name: 'erin', password: PASSWORD, roles: [] }, 'roles must not be empty'],
      [{ name: 'erin', password: PASSWORD, roles: 'admin' }, 'roles must be an array'],
      [{ name: 'erin', password: 'short' }, 'password must be at least 8 characters'],
      [
        { name: 'erin', password: PASSWORD, admin: true },
        'request body must only have the properties roles, email, name, password',
      ],
      [{ password: PASSWORD }, 'name is required'],
    ])('should refuse %j with 400 naming the field', async (body, message) => {
      await as(admin)
        .post('/admin/users', body)
        .expect(400)
        .expect((response) => expect(response.body).toEqual(errorBody(400, 'Bad Request', message)));
    });
  });

  describe('GET /admin/users', () => {
    beforeAll(async () => {
      for (const name of ['page-a', 'page-b', 'Page-c', 'page_d', 'pagex']) {
        await create(name);
      }
    });

    it('should list accounts by id with their roles and state, never a hash', async () => {
      const response = await as(admin).get('/admin/users').expect(200).expect('cache-control', 'no-store');
      const { items, nextCursor } = response.body as { items: { name: string }[]; nextCursor: string | null };
      expect(items[0]).toEqual({ ...USER_VIEW, name: 'admin', roles: ['admin'], disabled: false });
      expect(items[0]).not.toHaveProperty('passwordHash');
      expect(nextCursor).toBeNull();
    });

    it('should search by case-insensitive name prefix, LIKE wildcards taken literally', async () => {
      const names = async (search: string) =>
        (
          (
            await as(admin)
              .get(`/admin/users?search=${encodeURIComponent(search)}`)
              .expect(200)
          ).body as {
            items: { name: string }[];
          }
        ).items.map((user) => user.name);
      expect(await names('PAGE-')).toEqual(['page-a', 'page-b', 'Page-c']);
      expect(await names('page_')).toEqual(['page_d']);
      expect(await names('%')).toEqual([]);
      expect(await names('nobody')).toEqual([]);
    });

    it('should page with limit and cursor until nextCursor is null', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `/admin/users?search=page&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`;
        const body = (await as(admin).get(query).expect(200)).body as {
          items: { name: string }[];
          nextCursor: string | null;
        };
        expect(body.items.length).toBeLessThanOrEqual(2);
        seen.push(...body.items.map((user) => user.name));
        cursor = body.nextCursor;
        pages += 1;
      } while (cursor !== null);
      expect(seen).toEqual(['page-a', 'page-b', 'Page-c', 'page_d', 'pagex']);
      expect(pages).toBe(3);
    });

    it.each([
      ['limit=0', 'limit must be an integer from 1 to 100'],
      ['limit=101', 'limit must be an integer from 1 to 100'],
      ['limit=1.5', 'limit must be an integer from 1 to 100'],
      ['limit=1&limit=2', 'limit must be an integer from 1 to 100'],
      ['cursor=abc', "cursor must be a page's nextCursor"],
      ['search=' + 'a'.repeat(65), 'search must be at most 64 characters'],
      ['sort=name', 'query string must only have the parameters search, limit, cursor'],
    ])('should refuse ?%s with 400', async (query, message) => {
      await as(admin)
        .get(`/admin/users?${query}`)
        .expect(400)
        .expect((response) => expect(response.body).toEqual(errorBody(400, 'Bad Request', message)));
    });
  });

  describe('GET /admin/users/:id', () => {
    it('should answer the account', async () => {
      const id = await create('frank');
      await as(admin)
        .get(`/admin/users/${id}`)
        .expect(200)
        .expect((response) =>
          expect(response.body).toEqual({ ...USER_VIEW, id, name: 'frank', roles: ['user'] }),
        );
    });

    it('should answer 404 for an unknown id and 400 for a malformed one', async () => {
      await as(admin)
        .get('/admin/users/999999')
        .expect(404)
        .expect((response) => expect(response.body).toEqual(errorBody(404, 'Not Found', 'user not found')));
      for (const bad of ['abc', '0', '-1', '1e3', '01']) {
        await as(admin)
          .get(`/admin/users/${bad}`)
          .expect(400)
          .expect((response) =>
            expect(response.body).toEqual(errorBody(400, 'Bad Request', 'id must be a positive integer')),
          );
      }
    });

    it('should record the last login', async () => {
      const id = await create('gina');
      await tokenFor(server, 'gina', PASSWORD);
      // recordLogin is not awaited by the login: give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { body } = await as(admin).get(`/admin/users/${id}`).expect(200);
      expect(Date.now() - Date.parse((body as { lastLoginAt: string }).lastLoginAt)).toBeLessThan(10_000);
    });
  });

  describe('PATCH /admin/users/:id (applies at once to live tokens)', () => {
    it('should store the change, the sessions it ends and its audit row together: the row is there at once', async () => {
      const id = await create('ulla');
      await login(server, 'ulla', PASSWORD);
      await as(admin)
        .patch(`/admin/users/${id}`, { roles: ['admin', 'user'], disabled: true })
        .expect(200);
      // No flush of the batched trail: the row was written in the change's own transaction.
      const { body } = await as(admin).get(`/admin/audit?user=${id}&event=admin.user.updated`).expect(200);
      expect((body as { items: { details: object }[] }).items.map((item) => item.details)).toEqual([
        expect.objectContaining({ roles: 'admin,user', disabled: true, sessions: 1 }),
      ]);
    });

    it('should change nothing when its audit row cannot be stored: the account, roles and sessions stay', async () => {
      const id = await create('viktor');
      const { token } = await login(server, 'viktor', PASSWORD);
      const store = app.get(AuditStore);
      const failing = jest
        .spyOn(store, 'recordIn')
        .mockRejectedValueOnce(new Error('the audit table is unavailable'));
      try {
        const response = await as(admin).patch(`/admin/users/${id}`, { roles: ['admin'], disabled: true });
        expect(response.status).toBe(500);
      } finally {
        failing.mockRestore();
      }
      const { body } = await as(admin).get(`/admin/users/${id}`).expect(200);
      expect(body).toMatchObject({ roles: ['user'], disabled: false });
      await as(token).get('/user').expect(200);
      expect((await as(admin).get(`/admin/users/${id}/sessions`).expect(200)).body).toHaveLength(1);
    });

    it('should promote: a live token of the user gets into the admin API on its next request', async () => {
      const id = await create('henry');
      const token = await tokenFor(server, 'henry', PASSWORD);
      await as(token).get('/admin/users').expect(403);
      const response = await as(admin)
        .patch(`/admin/users/${id}`, { roles: ['admin'] })
        .expect(200);
      expect(response.body).toEqual({ ...USER_VIEW, id, name: 'henry', roles: ['admin'], disabled: false });
      await as(token).get('/admin/users').expect(200);
      // And demote: the same token is refused again at once.
      await as(admin)
        .patch(`/admin/users/${id}`, { roles: ['user'] })
        .expect(200);
      await as(token).get('/admin/users').expect(403);
      await as(token).get('/user').expect(200);
    });

    it('should disable: the live token is refused at once (401), sessions end, login fails; re-enable', async () => {
      const id = await create('iris');
      const { token, refreshToken } = await login(server, 'iris', PASSWORD);
      await as(admin)
        .patch(`/admin/users/${id}`, { disabled: true })
        .expect(200)
        .expect((response) => expect((response.body as { disabled: boolean }).disabled).toBe(true));
      await as(token).get('/user').expect(401);
      await request(server).post('/refresh').send({ refreshToken }).expect(401);
      await request(server).post('/login').send({ name: 'iris', password: PASSWORD }).expect(400);
      const { body } = await as(admin).get(`/admin/users/${id}/sessions`).expect(200);
      expect(body).toEqual([]);
      await as(admin).patch(`/admin/users/${id}`, { disabled: false }).expect(200);
      await tokenFor(server, 'iris', PASSWORD);
    });

    it('should refuse an unknown field, an unknown role or a non-boolean with 400, and 404 an unknown id', async () => {
      const id = await create('jack');
      const refused = [
        [{ name: 'x' }, 'request body must only have the properties disabled, roles, email'],
        [{ roles: ['superuser'] }, 'roles must hold only admin, user'],
        [{ disabled: 'yes' }, 'disabled must be a boolean'],
      ] as const;
      for (const [body, message] of refused) {
        await as(admin)
          .patch(`/admin/users/${id}`, body)
          .expect(400)
          .expect((response) => expect(response.body).toEqual(errorBody(400, 'Bad Request', message)));
      }
      await as(admin).patch('/admin/users/999999', { disabled: true }).expect(404);
    });
  });

  describe('PUT /admin/users/:id/password', () => {
    it('should set the password (204), end every session, and let the new password in', async () => {
      const id = await create('kate');
      const { token } = await login(server, 'kate', PASSWORD);
      await as(admin)
        .put(`/admin/users/${id}/password`, { newPassword: 'a brand new passphrase' })
        .expect(204);
      await as(token).get('/user').expect(401);
      await request(server).post('/login').send({ name: 'kate', password: PASSWORD }).expect(400);
      await tokenFor(server, 'kate', 'a brand new passphrase');
    });

    it('should refuse a short password (400) and an unknown id (404)', async () => {
      await as(admin)
        .put('/admin/users/1/password', { newPassword: 'short' })
        .expect(400)
        .expect((response) =>
          expect(response.body).toEqual(
            errorBody(400, 'Bad Request', 'newPassword must be at least 8 characters'),
          ),
        );
      await as(admin).put('/admin/users/999999/password', { newPassword: PASSWORD }).expect(404);
    });
  });

  describe('GET and DELETE /admin/users/:id/sessions', () => {
    it("should list a user's live sessions and end them all", async () => {
      const id = await create('leo');
      const first = await login(server, 'leo', PASSWORD);
      await login(server, 'leo', PASSWORD);
      const listed = await as(admin).get(`/admin/users/${id}/sessions`).expect(200);
      expect(listed.body).toHaveLength(2);
      expect((listed.body as object[])[0]).toEqual({
        id: expect.any(String),
        createdAt: expect.any(String),
        lastUsedAt: expect.any(String),
        userAgent: 'jest',
        current: false,
      });
      await as(admin).delete(`/admin/users/${id}/sessions`).expect(204);
      await as(first.token).get('/user').expect(401);
      await as(admin)
        .get(`/admin/users/${id}/sessions`)
        .expect(200)
        .expect((response) => expect(response.body).toEqual([]));
      await as(admin).get('/admin/users/999999/sessions').expect(404);
      await as(admin).delete('/admin/users/999999/sessions').expect(404);
    });
  });

  describe('DELETE /admin/users/:id', () => {
    it('should delete (204): the live token is refused at once, the name is free again', async () => {
      const id = await create('mia');
      const { token, refreshToken } = await login(server, 'mia', PASSWORD);
      await as(token).get('/user').expect(200);
      await as(admin).delete(`/admin/users/${id}`).expect(204);
      await as(token).get('/user').expect(401);
      await request(server).post('/refresh').send({ refreshToken }).expect(401);
      await as(admin).get(`/admin/users/${id}`).expect(404);
      await as(admin).delete(`/admin/users/${id}`).expect(404);
      await create('mia');
    });

    it('should delete an admin with a live token: refused at once', async () => {
      const id = await create('nora', ['admin']);
      const token = await tokenFor(server, 'nora', PASSWORD);
      await as(token).get('/admin/users').expect(200);
      await as(admin).delete(`/admin/users/${id}`).expect(204);
      await as(token).get('/admin/users').expect(401);
    });
  });

  describe('the last enabled admin', () => {
    it('should not be demoted, disabled or deleted: 409 saying why', async () => {
      // Only "admin" and "dana" are admins now: dana goes first (allowed), then admin is the last.
      const { items } = (await as(admin).get('/admin/users?limit=100').expect(200)).body as {
        items: { id: number; name: string; roles: string[]; disabled: boolean }[];
      };
      for (const other of items.filter((user) => user.roles.includes('admin') && user.name !== 'admin')) {
        await as(admin)
          .patch(`/admin/users/${other.id}`, { roles: ['user'] })
          .expect(200);
      }
      const id = await adminId();
      const conflict = errorBody(409, 'Conflict', LAST_ADMIN_MESSAGE);
      for (const call of [
        as(admin).patch(`/admin/users/${id}`, { roles: ['user'] }),
        as(admin).patch(`/admin/users/${id}`, { disabled: true }),
        as(admin).delete(`/admin/users/${id}`),
      ]) {
        const response = await call;
        expect({ status: response.status, body: response.body as unknown }).toEqual({
          status: 409,
          body: conflict,
        });
      }
      await as(admin).get('/admin/users').expect(200);
    });

    it('should be demoted once another admin exists, and the rule then protects the other', async () => {
      const other = await create('olga', ['admin']);
      const olga = await tokenFor(server, 'olga', PASSWORD);
      const id = await adminId();
      await as(olga)
        .patch(`/admin/users/${id}`, { roles: ['user'] })
        .expect(200);
      await as(admin).get('/admin/users').expect(403);
      await as(olga).patch(`/admin/users/${other}`, { disabled: true }).expect(409);
      // Put things back for the other tests.
      await as(olga)
        .patch(`/admin/users/${id}`, { roles: ['admin'] })
        .expect(200);
      await as(admin).get('/admin/users').expect(200);
    });
  });

  describe('GET /admin/audit', () => {
    interface Entry {
      id: number;
      at: string;
      event: string;
      actor: string | null;
      userId: number | null;
      ip: string | null;
      requestId: string | null;
      details: Record<string, unknown>;
    }
    const audit = async (query = '') =>
      (await as(admin).get(`/admin/audit${query}`).expect(200).expect('cache-control', 'no-store')).body as {
        items: Entry[];
        nextCursor: string | null;
      };

    it('should store each admin action with actor, target, address, request id and details, no secret', async () => {
      const me = String(await adminId());
      const created = await as(admin).post('/admin/users', { name: 'pat', password: PASSWORD }).expect(201);
      const id = (created.body as { id: number }).id;
      await as(admin)
        .patch(`/admin/users/${id}`, { roles: ['admin'], disabled: true })
        .expect(200);
      await as(admin).put(`/admin/users/${id}/password`, { newPassword: 'another passphrase 2' }).expect(204);
      await as(admin).delete(`/admin/users/${id}/sessions`).expect(204);
      await as(admin).delete(`/admin/users/${id}`).expect(204);
      const { items } = await audit(`?user=${id}`);
      expect(items.map((entry) => entry.event)).toEqual([
        'admin.user.deleted',
        'admin.sessions.ended',
        // One event per action: the reset is admin.password.reset, no password.changed too, and
        // the disable is this admin.user.updated (disabled: true), no user.disabled too.
        'admin.password.reset',
        'admin.user.updated',
        'admin.user.created',
      ]);
      const byEvent = (event: string) => items.find((entry) => entry.event === event)!;
      expect(byEvent('admin.user.created')).toEqual({
        id: expect.any(Number),
        at: expect.stringMatching(/^\d{4}-/),
        event: 'admin.user.created',
        actor: me,
        userId: id,
        ip: expect.any(String),
        requestId: created.headers['x-request-id'],
        details: { roles: 'user' },
      });
      expect(byEvent('admin.user.updated').details).toEqual({ roles: 'admin', disabled: true, sessions: 0 });
      expect(byEvent('admin.password.reset').details).toEqual({ sessions: 0 });
      expect(JSON.stringify(items)).not.toMatch(/correct horse|another passphrase|argon2|hash/i);
    });

    it('should store the events audit() logs: logins (failed too), with the client address', async () => {
      const id = await create('quinn');
      await request(server).post('/login').send({ name: 'quinn', password: 'wrong password!' }).expect(400);
      await tokenFor(server, 'quinn', PASSWORD);
      const succeeded = (await audit(`?user=${id}&event=login.succeeded`)).items;
      expect(succeeded).toHaveLength(1);
      expect(succeeded[0]).toMatchObject({ actor: String(id), userId: id, ip: expect.any(String) });
      const failed = (await audit('?event=login.failed')).items;
      expect(failed[0]).toMatchObject({
        actor: null,
        userId: null,
        details: { reason: 'invalid_credentials', name: 'quinn' },
      });
      expect(JSON.stringify(failed)).not.toContain('wrong password!');
    });

    it('should filter by time and page newest first with limit and cursor', async () => {
      const start = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (const name of ['r1', 'r2', 'r3']) {
        await create(name);
      }
      const end = new Date(Date.now() + 1000).toISOString();
      const recent = await audit(`?event=admin.user.created&since=${start}&until=${end}`);
      expect(recent.items.map((entry) => entry.event)).toEqual(Array(3).fill('admin.user.created'));
      expect(await audit(`?event=admin.user.created&until=${start}&since=${start}`)).toEqual({
        items: [],
        nextCursor: null,
      });
      const first = await audit(`?event=admin.user.created&since=${start}&limit=2`);
      expect(first.items).toHaveLength(2);
      expect(first.items[0].id).toBeGreaterThan(first.items[1].id);
      expect(first.nextCursor).toEqual(String(first.items[1].id));
      const second = await audit(
        `?event=admin.user.created&since=${start}&limit=2&cursor=${first.nextCursor}`,
      );
      expect(second.items).toHaveLength(1);
      expect(second.nextCursor).toBeNull();
      expect(second.items[0].id).toBeLessThan(first.items[1].id);
    });

    it.each([
      ['user=abc', 'user must be a positive integer'],
      ['since=yesterday', 'since must be an ISO 8601 date-time'],
      ['until=2026-13-01', 'until must be an ISO 8601 date-time'],
      ['event=DROP%20TABLE', 'event must be an event name such as login.failed'],
      ['limit=0', 'limit must be an integer from 1 to 100'],
      ['cursor=-1', "cursor must be a page's nextCursor"],
      ['actor=1', 'query string must only have the parameters event, user, since, until, limit, cursor'],
    ])('should refuse ?%s with 400', async (query, message) => {
      await as(admin)
        .get(`/admin/audit?${query}`)
        .expect(400)
        .expect((response) => expect(response.body).toEqual(errorBody(400, 'Bad Request', message)));
    });
  });
});
