import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource, IsNull } from 'typeorm';
import { RefreshTokenEntity } from '../../src/sessions/refresh-token.entity.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { createTestApp, httpServer } from '../support/app.js';
import { errorBody, UNSUPPORTED_MEDIA_TYPE_BODY } from '../support/expected.js';
import { getUser, login, pairFrom, refresh, sleep } from '../support/session-client.js';

const REFRESH_INVALID = 'Bearer error="invalid_token", error_description="The refresh token is invalid"';
const GRACE_MS = 2000; // REFRESH_REUSE_GRACE in test/support/e2e-env.ts

describe('Sessions', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let users: UsersService;
  let counter = 0;

  /** A fresh user per test, so one test's logouts never reach another's sessions. */
  async function newUser(password = 'a long password') {
    const name = `user${++counter}`;
    await users.create(name, password);
    return { name, password };
  }

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
    users = app.get(UsersService);
  });

  afterAll(() => app.close());

  describe('POST /login', () => {
    it('should set the refresh token as an HttpOnly, SameSite=Strict cookie limited to /refresh', async () => {
      const { name, password } = await newUser();
      const response = await request(server).post('/login').send({ name, password }).expect(200);
      const { refreshToken } = response.body as { refreshToken: string };
      const [cookie] = response.headers['set-cookie'] as unknown as string[];
      expect(cookie).toMatch(new RegExp(`^refresh_token=${refreshToken};`));
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Strict/);
      expect(cookie).toMatch(/; Path=\/refresh(;|$)/);
      expect(cookie).toMatch(/; Expires=/);
      expect(cookie).not.toMatch(/; Secure/); // off outside production unless REFRESH_COOKIE_SECURE=true
    });
  });

  describe('a token already accepted (remembered by JwtStrategy)', () => {
    it('should still refuse any other text, and refuse it once its session or user is gone', async () => {
      const { name, password } = await newUser();
      const pair = await login(server, name, password);
      const user = (token: string) => request(server).get('/user').set('Authorization', `Bearer ${token}`);
      await user(pair.token).expect(200);
      await user(pair.token).expect(200);
      const [header, payload, signature] = pair.token.split('.');
      const flipped = signature.endsWith('A') ? `${signature.slice(0, -1)}B` : `${signature.slice(0, -1)}A`;
      await user(`${header}.${payload}.${flipped}`).expect(401);
      await user(`${header}.${payload}x.${signature}`).expect(401);
      await request(server).post('/logout').set('Authorization', `Bearer ${pair.token}`).expect(204);
      await user(pair.token).expect(401);

      const other = await login(server, name, password);
      await user(other.token).expect(200);
      const { id } = (await user(other.token)).body as { id: number };
      await users.setDisabled(id, true);
      await user(other.token).expect(401);
    });
  });

  describe('concurrent writes', () => {
    it('should never interleave two transactions on the one SQLite connection', async () => {
      const sessions = app.get(SessionsService);
      const { id: userId } = await users.create(`user${++counter}`, 'a long password');
      // Started in the same tick, so both transactions' bodies are in flight together.
      const grants = await Promise.all(Array.from({ length: 8 }, () => sessions.open(userId, {})));
      const rotated = await Promise.all(grants.map((grant) => sessions.rotate(grant.refreshToken, {})));
      expect(new Set(rotated.map((grant) => grant.sessionId))).toEqual(
        new Set(grants.map((grant) => grant.sessionId)),
      );
    });

    // One SQLite connection: two transactions must never interleave on it. Found when hashing
    // got fast enough for logins to finish together: "cannot start a transaction within a
    // transaction", answered 500.
    it('should open 24 sessions at once, then rotate and end them at once, without one error', async () => {
      const { name, password } = await newUser();
      const logins = await Promise.all(
        Array.from({ length: 24 }, () => request(server).post('/login').send({ name, password })),
      );
      expect(logins.map((response) => response.status)).toEqual(Array(24).fill(200));
      const pairs = logins.map(pairFrom);
      const [refreshed, loggedOut] = await Promise.all([
        Promise.all(pairs.slice(0, 12).map((pair) => refresh(server, pair.refreshToken))),
        Promise.all(
          pairs
            .slice(12)
            .map((pair) => request(server).post('/logout').set('Authorization', `Bearer ${pair.token}`)),
        ),
      ]);
      expect(refreshed.map((response) => response.status)).toEqual(Array(12).fill(200));
      expect(loggedOut.map((response) => response.status)).toEqual(Array(12).fill(204));
      const sessions = await request(server)
        .get('/user/sessions')
        .set('Authorization', `Bearer ${pairFrom(refreshed[0]).token}`)
        .expect(200);
      expect(sessions.body).toHaveLength(12);
    });
  });

  describe('?refreshToken=cookie', () => {
    it('should leave the refresh token out of the body of login and refresh, and set the cookie', async () => {
      const { name, password } = await newUser();
      const loggedIn = await request(server)
        .post('/login?refreshToken=cookie')
        .send({ name, password })
        .expect(200);
      expect(Object.keys(loggedIn.body as object).sort()).toEqual(['expiresIn', 'token', 'tokenType']);
      const cookie = (loggedIn.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
      const refreshed = await request(server)
        .post('/refresh?refreshToken=cookie')
        .set('Cookie', cookie)
        .send({})
        .expect(200);
      expect(Object.keys(refreshed.body as object).sort()).toEqual(['expiresIn', 'token', 'tokenType']);
      expect((refreshed.headers['set-cookie'] as unknown as string[])[0]).toMatch(
        /^refresh_token=[\w-]{43};/,
      );
    });

    it('should refuse another value with 400', () =>
      request(server).post('/login?refreshToken=body').send({ name: 'admin', password: '1234' }).expect(400));
  });

  describe('POST /refresh', () => {
    it('should answer like login with a new pair and spend the presented token', async () => {
      const { name, password } = await newUser();
      const first = await login(server, name, password);
      const response = await refresh(server, first.refreshToken)
        .expect(200)
        .expect('cache-control', 'no-store');
      expect(response.body).toEqual({
        token: expect.any(String),
        tokenType: 'Bearer',
        expiresIn: 900,
        refreshToken: expect.stringMatching(/^[\w-]{43}$/),
      });
      const second = pairFrom(response);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      await getUser(server, second.token).expect(200);
      await getUser(server, first.token).expect(200); // same live session
      await refresh(server, second.refreshToken).expect(200);
    });

    it('should read the refresh token from the cookie when the body is {}', async () => {
      const { name, password } = await newUser();
      const { refreshToken } = await login(server, name, password);
      const withEmptyBody = await request(server)
        .post('/refresh')
        .set('Cookie', `refresh_token=${refreshToken}`)
        .send({})
        .expect(200);
      const next = pairFrom(withEmptyBody);
      expect(next.cookie).toMatch(new RegExp(`^refresh_token=${next.refreshToken};`));
      await request(server)
        .post('/refresh')
        .set('Cookie', `refresh_token=${next.refreshToken}`)
        .send({})
        .expect(200);
    });

    // Another origin of the same site (another port, a subdomain) gets the SameSite=Strict cookie
    // sent along. Without a CORS preflight it can send no body, a form, text or multipart, never
    // Content-Type: application/json: none of those may spend the cookie, or even clear it.
    describe('with the cookie, as a request another origin can send without a preflight', () => {
      const simpleRequests: [string, (call: request.Test) => request.Test][] = [
        ['no body and no Content-Type', (call) => call],
        ['a form', (call) => call.type('form').send('refreshToken=')],
        ['text/plain', (call) => call.set('Content-Type', 'text/plain').send('{}')],
        ['multipart/form-data', (call) => call.field('refreshToken', '')],
        ['a body without a Content-Type', (call) => call.set('Content-Type', '').send('{}')],
      ];

      it('should refuse each with 415, spending nothing and keeping the cookie', async () => {
        const kept: { what: string; refreshToken: string }[] = [];
        for (const [what, send] of simpleRequests) {
          const { name, password } = await newUser();
          const { refreshToken } = await login(server, name, password);
          const refused = await send(
            request(server)
              .post('/refresh?refreshToken=cookie')
              .set('Cookie', `refresh_token=${refreshToken}`),
          );
          expect({
            what,
            status: refused.status,
            body: refused.body as object,
            cacheControl: refused.headers['cache-control'],
            setCookie: refused.headers['set-cookie'],
          }).toEqual({
            what,
            status: 415,
            body: UNSUPPORTED_MEDIA_TYPE_BODY,
            cacheControl: 'no-store',
            setCookie: undefined,
          });
          kept.push({ what, refreshToken });
        }
        // Past the reuse grace a spent token would be a replay (401, the session ended): a 200
        // now proves the refused requests spent nothing.
        await sleep(GRACE_MS + 200);
        for (const { what, refreshToken } of kept) {
          const { status } = await request(server)
            .post('/refresh')
            .set('Cookie', `refresh_token=${refreshToken}`)
            .send({});
          expect({ what, status }).toEqual({ what, status: 200 });
        }
      });
    });

    it('should keep the user logged in when two clients refresh with the same token at once', async () => {
      const { name, password } = await newUser();
      const { refreshToken } = await login(server, name, password);
      const [a, b] = await Promise.all([refresh(server, refreshToken), refresh(server, refreshToken)]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const [pairA, pairB] = [pairFrom(a), pairFrom(b)];
      await getUser(server, pairA.token).expect(200);
      await getUser(server, pairB.token).expect(200);
      await refresh(server, pairA.refreshToken).expect(200);
      await refresh(server, pairB.refreshToken).expect(200);
    });

    it('should give 20 refreshes of one token at once the same successor: one live chain', async () => {
      const { name, password } = await newUser();
      const { refreshToken, token } = await login(server, name, password);
      const sid = (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string })
        .sid;
      // Half by the body, half by the cookie, as a client's tabs and its pages would.
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0
            ? refresh(server, refreshToken)
            : request(server).post('/refresh').set('Cookie', `refresh_token=${refreshToken}`).send({}),
        ),
      );
      expect(responses.map(({ status }) => status)).toEqual(Array(20).fill(200));
      const successors = new Set(responses.map((response) => pairFrom(response).refreshToken));
      expect(successors.size).toBe(1);
      const [successor] = successors;
      expect(successor).not.toBe(refreshToken);
      for (const response of responses) {
        await getUser(server, pairFrom(response).token).expect(200);
      }
      // The session holds one token not yet spent: the successor.
      const unspent = await app
        .get(DataSource)
        .getRepository(RefreshTokenEntity)
        .findBy({ sessionId: sid, spentAt: IsNull() });
      expect(unspent).toHaveLength(1);
      // The chain goes on from it; the spent token, past the grace, is a replay as ever.
      const next = pairFrom(await refresh(server, successor).expect(200));
      await sleep(GRACE_MS + 1100);
      await refresh(server, refreshToken).expect(401).expect('www-authenticate', REFRESH_INVALID);
      await getUser(server, next.token).expect(401);
      await refresh(server, next.refreshToken).expect(401);
    });

    it('should take a spent token presented after the grace window as a replay and end the whole session', async () => {
      const { name, password } = await newUser();
      const stolen = await login(server, name, password);
      const victim = pairFrom(await refresh(server, stolen.refreshToken).expect(200));
      await sleep(GRACE_MS + 1100);
      const replay = await refresh(server, stolen.refreshToken)
        .expect(401)
        .expect('www-authenticate', REFRESH_INVALID);
      expect(replay.body).toEqual(errorBody(401, 'Unauthorized', 'The refresh token is invalid'));
      // Everything issued for that session is dead at once: the thief's and the victim's.
      await getUser(server, victim.token).expect(401);
      await getUser(server, stolen.token).expect(401);
      await refresh(server, victim.refreshToken).expect(401);
      // Another login is unaffected.
      const other = await login(server, name, password);
      await getUser(server, other.token).expect(200);
    });

    it.each([
      ['an unknown token', { refreshToken: 'A'.repeat(43) }, 401],
      ['an access token (too long to be a refresh token)', 'ACCESS', 400],
      ['no token at all', {}, 401],
      ['a number', { refreshToken: 42 }, 400],
      ['an extra field', { refreshToken: 'x', admin: true }, 400],
      ['an over-long token', { refreshToken: 'x'.repeat(300) }, 400],
    ])('should refuse %s', async (_case, body, status) => {
      const { name, password } = await newUser();
      const { token } = await login(server, name, password);
      const response = await request(server)
        .post('/refresh')
        .send(body === 'ACCESS' ? { refreshToken: token } : (body as object))
        .expect(status);
      expect(response.body).toMatchObject({ statusCode: status });
      if (status === 401) {
        expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    });

    it('should answer a form post with 415, so no other site can forge one', () =>
      request(server).post('/refresh').type('form').send('refreshToken=x').expect(415));

    it('should clear the cookie when it refuses', async () => {
      const response = await request(server)
        .post('/refresh')
        .set('Cookie', 'refresh_token=nonsense')
        .send({})
        .expect(401);
      const [cookie] = response.headers['set-cookie'] as unknown as string[];
      expect(cookie).toMatch(/^refresh_token=;/);
      expect(cookie).toMatch(/; Path=\/refresh/);
    });
  });

  describe('POST /logout', () => {
    async function threeSessions() {
      const user = await newUser();
      const sessions = [];
      for (const agent of ['one', 'two', 'three']) {
        sessions.push(await login(server, user.name, user.password, agent));
      }
      return sessions;
    }
    const logout = (token: string, scope?: string) =>
      request(server)
        .post(`/logout${scope === undefined ? '' : `?scope=${scope}`}`)
        .set('Authorization', `Bearer ${token}`);

    it('should require authentication', () => request(server).post('/logout').expect(401));

    // The access token is the Authorization header, which another origin cannot send without a
    // preflight; the refresh cookie is no credential here (nor sent here: Path=/refresh).
    it('should not take the refresh cookie as a credential, so no other origin can log the user out', async () => {
      const [current] = await threeSessions();
      const { refreshToken } = current;
      await request(server)
        .post('/logout?scope=global')
        .set('Cookie', `refresh_token=${refreshToken}`)
        .expect(401);
      await getUser(server, current.token).expect(200);
      await refresh(server, refreshToken).expect(200);
    });

    it('should end only the current session by default, its access and refresh tokens at once', async () => {
      const [current, other] = await threeSessions();
      const response = await logout(current.token).expect(204);
      expect(response.text).toBe('');
      expect((response.headers['set-cookie'] as unknown as string[])[0]).toMatch(/^refresh_token=;/);
      await getUser(server, current.token).expect(401);
      await refresh(server, current.refreshToken).expect(401);
      await getUser(server, other.token).expect(200);
      await refresh(server, other.refreshToken).expect(200);
    });

    it('should end every session with scope=global', async () => {
      const sessions = await threeSessions();
      await logout(sessions[0].token, 'global').expect(204);
      for (const session of sessions) {
        await getUser(server, session.token).expect(401);
        await refresh(server, session.refreshToken).expect(401);
      }
    });

    it('should end all but the current session with scope=others', async () => {
      const [current, ...others] = await threeSessions();
      await logout(current.token, 'others').expect(204);
      await getUser(server, current.token).expect(200);
      await refresh(server, current.refreshToken).expect(200);
      for (const session of others) {
        await getUser(server, session.token).expect(401);
        await refresh(server, session.refreshToken).expect(401);
      }
    });

    it('should refuse an unknown query parameter with 400, naming the allowed ones', async () => {
      const [current] = await threeSessions();
      const response = await request(server)
        .post('/logout?everywhere=yes')
        .set('Authorization', `Bearer ${current.token}`)
        .expect(400);
      expect(response.body).toEqual(
        errorBody(400, 'Bad Request', 'query string must only have the parameters scope'),
      );
      await getUser(server, current.token).expect(200);
    });

    it('should take no body: none or {} logs out, any other is a 400 that ends nothing', async () => {
      const [current, other] = await threeSessions();
      const refused = await logout(current.token).send({ scope: 'global' }).expect(400);
      expect(refused.body).toEqual(errorBody(400, 'Bad Request', 'request body must be empty'));
      await logout(current.token).set('Content-Type', 'text/plain').send('x').expect(415);
      await getUser(server, current.token).expect(200);
      await getUser(server, other.token).expect(200);
      await logout(current.token).send({}).expect(204);
      await getUser(server, current.token).expect(401);
      await getUser(server, other.token).expect(200);
    });

    it('should check the token before the body: a body without a valid token is a 401', async () => {
      const response = await request(server).post('/logout').send({ scope: 'global' }).expect(401);
      expect(response.body).toEqual(
        errorBody(401, 'Unauthorized', 'authentication required: send Authorization: Bearer <token>'),
      );
    });

    it('should refuse an unknown scope with 400', async () => {
      const [current] = await threeSessions();
      const response = await logout(current.token, 'everything').expect(400);
      expect(response.body).toEqual(
        errorBody(400, 'Bad Request', 'scope must be one of local, others, global'),
      );
      await getUser(server, current.token).expect(200);
    });
  });

  describe('GET /user/sessions and DELETE /user/sessions/:id', () => {
    it('should list the live sessions with the current one marked, and end one on request', async () => {
      const user = await newUser();
      const phone = await login(server, user.name, user.password, 'Phone/1.0');
      const laptop = await login(server, user.name, user.password, 'Laptop/2.0');
      const list = await request(server)
        .get('/user/sessions')
        .set('Authorization', `Bearer ${laptop.token}`)
        .expect(200)
        .expect('cache-control', 'no-store');
      const sessions = list.body as { id: string; userAgent: string; current: boolean }[];
      expect(sessions).toEqual([
        {
          id: expect.any(String),
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
          userAgent: 'Laptop/2.0',
          current: true,
        },
        {
          id: expect.any(String),
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
          userAgent: 'Phone/1.0',
          current: false,
        },
      ]);
      await request(server)
        .delete(`/user/sessions/${sessions[1].id}`)
        .set('Authorization', `Bearer ${laptop.token}`)
        .expect(204);
      await getUser(server, phone.token).expect(401);
      await getUser(server, laptop.token).expect(200);
      const after = await request(server)
        .get('/user/sessions')
        .set('Authorization', `Bearer ${laptop.token}`);
      expect((after.body as unknown[]).length).toBe(1);
    });

    it("should not end another user's session, an unknown one, or a malformed id", async () => {
      const alice = await newUser();
      const bob = await newUser();
      const aliceSession = await login(server, alice.name, alice.password);
      const bobSession = await login(server, bob.name, bob.password);
      const [aliceId] = (
        (await request(server).get('/user/sessions').set('Authorization', `Bearer ${aliceSession.token}`))
          .body as { id: string }[]
      ).map(({ id }) => id);
      const del = (id: string) =>
        request(server).delete(`/user/sessions/${id}`).set('Authorization', `Bearer ${bobSession.token}`);
      await del(aliceId).expect(404, errorBody(404, 'Not Found', 'session not found'));
      await del('00000000-0000-4000-8000-000000000000').expect(404);
      await getUser(server, aliceSession.token).expect(200);
    });

    it.each([
      ['not a UUID', 'not-a-uuid'],
      ['a UUID of no RFC 9562 version', '017f22e2-79b0-0cc3-98c4-dc0c0c07398f'],
      ['a UUID with a suffix', '017f22e2-79b0-7cc3-98c4-dc0c0c07398f-x'],
    ])('should refuse %s with 400 in its own words, naming the parameter', async (_what, id) => {
      const { name, password } = await newUser();
      const { token } = await login(server, name, password);
      await request(server)
        .delete(`/user/sessions/${id}`)
        .set('Authorization', `Bearer ${token}`)
        .expect(400, errorBody(400, 'Bad Request', 'id must be a UUID'));
    });

    it('should take any RFC 9562 UUID (an unknown version 7 is a 404) and either case', async () => {
      const { name, password } = await newUser();
      const { token } = await login(server, name, password);
      const del = (id: string) =>
        request(server).delete(`/user/sessions/${id}`).set('Authorization', `Bearer ${token}`);
      await del('017f22e2-79b0-7cc3-98c4-dc0c0c07398f').expect(
        404,
        errorBody(404, 'Not Found', 'session not found'),
      );
      const [{ id }] = (await request(server).get('/user/sessions').set('Authorization', `Bearer ${token}`))
        .body as { id: string }[];
      await del(id.toUpperCase()).expect(204);
      await getUser(server, token).expect(401);
    });
  });

  describe('PUT /user/password', () => {
    const change = (token: string, body: object) =>
      request(server).put('/user/password').set('Authorization', `Bearer ${token}`).send(body);

    it('should change the password and end every other session', async () => {
      const user = await newUser('old password 1');
      const here = await login(server, user.name, user.password);
      const elsewhere = await login(server, user.name, user.password);
      await change(here.token, { currentPassword: 'old password 1', newPassword: 'new  password 🔑' }).expect(
        204,
      );
      await getUser(server, elsewhere.token).expect(401);
      await refresh(server, elsewhere.refreshToken).expect(401);
      await getUser(server, here.token).expect(200);
      await request(server).post('/login').send({ name: user.name, password: 'old password 1' }).expect(400);
      await login(server, user.name, 'new  password 🔑');
    });

    it.each([
      [
        'a wrong current password',
        { currentPassword: 'wrong', newPassword: 'whatever 123' },
        'currentPassword is wrong',
      ],
      [
        'a short new password',
        { currentPassword: 'a long password', newPassword: 'short' },
        'newPassword must be at least 8 characters',
      ],
      [
        'an over-long new password',
        { currentPassword: 'a long password', newPassword: 'é'.repeat(513) },
        'newPassword must be at most 1024 bytes',
      ],
      ['a missing field', { currentPassword: 'a long password' }, 'newPassword is required'],
    ])('should refuse %s with 400 and change nothing', async (_case, body, message) => {
      const user = await newUser();
      const session = await login(server, user.name, user.password);
      const response = await change(session.token, body).expect(400);
      expect(response.body).toEqual(errorBody(400, 'Bad Request', message));
      await login(server, user.name, user.password);
    });

    it('should require authentication', () =>
      request(server)
        .put('/user/password')
        .send({ currentPassword: 'x', newPassword: 'yyyyyyyy' })
        .expect(401));
  });

  describe('POST /users (sign-up off by default)', () => {
    const NOT_FOUND = errorBody(404, 'Not Found', 'no such resource');

    it('should not exist', async () => {
      const response = await request(server)
        .post('/users')
        .send({ name: 'mallory', password: 'long enough' })
        .expect(404)
        .expect('cache-control', 'no-store');
      expect(response.body).toEqual(NOT_FOUND);
      // Answered before the body is read, yet with the security headers of every answer.
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    });

    // The route is not registered: nothing about the body is looked at, so nothing about it is said.
    it.each([
      ['no body', (call: request.Test) => call],
      ['a body that breaks the rules', (call: request.Test) => call.send({ name: ' ', admin: true })],
      ['malformed JSON', (call: request.Test) => call.set('Content-Type', 'application/json').send('{')],
      ['an empty JSON body', (call: request.Test) => call.set('Content-Type', 'application/json')],
      ['a form', (call: request.Test) => call.type('form').send('name=x&password=yyyyyyyy')],
      ['text', (call: request.Test) => call.set('Content-Type', 'text/plain').send('x')],
      [
        'a body over the 16 KiB limit',
        (call: request.Test) => call.send({ name: 'x', password: 'y'.repeat(20_000) }),
      ],
    ])('should answer %s with the same 404 as any unknown path', async (_what, send) => {
      await send(request(server).post('/users')).expect(404, NOT_FOUND);
      await send(request(server).post('/no-such-route')).expect(404, NOT_FOUND);
    });
  });

  describe('disabled users', () => {
    it('should end their sessions, refuse their tokens at once and answer their login like a wrong password', async () => {
      const user = await newUser();
      const session = await login(server, user.name, user.password);
      const { id } = (await getUser(server, session.token).expect(200)).body as { id: number };
      await users.setDisabled(id, true);
      await getUser(server, session.token).expect(401);
      await refresh(server, session.refreshToken).expect(401);
      const refused = await request(server).post('/login').send(user).expect(400);
      const wrong = await request(server)
        .post('/login')
        .send({ name: user.name, password: 'wrong!' })
        .expect(400);
      expect(refused.text).toBe(wrong.text);
    });
  });
});
