import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { errorBody } from '../support/expected.js';

// Set before AppModule is imported (ConfigModule reads the environment then). The defaults,
// except a 2-second first hold so the test can wait it out.
process.env.LOGIN_RATE_LIMIT = '10';
process.env.LOGIN_FAILURE_LIMIT = '5';
process.env.LOGIN_FAILURE_WINDOW = '900';
process.env.LOGIN_HOLD_SECONDS = '2';
// POST /users exists only with sign-up on; its throttle is tested here.
process.env.SIGNUP_ENABLED = 'true';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TOO_MANY = /^too many attempts: retry in \d+ seconds$/;

describe('Throttling', () => {
  let app: NestFastifyApplication;
  let server: import('node:http').Server;
  let nextAddress = 1;
  /** A client address of its own (through the trusted proxy), so tests never share a counter. */
  const address = () => `10.0.${Math.floor(nextAddress / 250)}.${(nextAddress++ % 250) + 1}`;

  const login = (from: string, name: string, password: string) =>
    request(server).post('/login').set('X-Forwarded-For', from).send({ name, password });

  function expectTooMany(response: request.Response, maxWait: number): number {
    expect(response.status).toBe(429);
    expect(response.body).toEqual(
      errorBody(429, 'Too Many Requests', expect.stringMatching(TOO_MANY) as string),
    );
    const wait = Number(response.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(maxWait);
    return wait;
  }

  beforeAll(async () => {
    process.env.TRUST_PROXY = '127.0.0.1,::1';
    const { createTestApp, httpServer } = await import('../support/app.js');
    app = await createTestApp();
    server = httpServer(app);
  });

  afterAll(() => app.close());

  describe('per client address', () => {
    it('should allow 10 login attempts a minute, then answer 429 with Retry-After', async () => {
      const from = address();
      for (let i = 0; i < 10; i++) {
        expect([200, 400]).toContain((await login(from, `someone${i}`, 'wrong password')).status);
      }
      expectTooMany(await login(from, 'admin', '1234'), 60);
      // Another address is not affected.
      await login(address(), 'admin', '1234').expect(200);
    });

    it.each([
      [
        'POST /refresh',
        (from: string) =>
          request(server).post('/refresh').set('X-Forwarded-For', from).send({ refreshToken: 'x' }),
      ],
      ['POST /users', (from: string) => request(server).post('/users').set('X-Forwarded-For', from).send({})],
    ])('should limit %s the same way', async (_route, call) => {
      const from = address();
      for (let i = 0; i < 10; i++) {
        expect((await call(from)).status).not.toBe(429);
      }
      expectTooMany(await call(from), 60);
    });

    it('should count IPv6 clients by their /64: two addresses of one /64 share a budget', async () => {
      const prefix = `2001:db8:${nextAddress++}:1`;
      for (let i = 0; i < 10; i++) {
        // Each attempt from an address of its own in the /64, spelled every way.
        const from = i % 2 === 0 ? `${prefix}::${i + 1}` : `${prefix}:0:0:0:${(i + 1).toString(16)}`;
        expect([200, 400]).toContain((await login(from, `ipv6-${i}`, 'wrong password')).status);
      }
      expectTooMany(await login(`${prefix}:ffff:ffff:ffff:fffe`, 'admin', '1234'), 60);
      // The next /64 has a budget of its own, and so has an IPv4-mapped address.
      await login(`2001:db8:${nextAddress++}:2::1`, 'admin', '1234').expect(200);
      await login(`::ffff:${address()}`, 'admin', '1234').expect(200);
    });

    it('should count an IPv4-mapped address as its IPv4 address', async () => {
      const from = address();
      for (let i = 0; i < 5; i++) {
        expect([200, 400]).toContain((await login(from, `ipv6-${i}`, 'wrong password')).status);
        expect([200, 400]).toContain((await login(`::ffff:${from}`, `mapped-${i}`, 'wrong password')).status);
      }
      expectTooMany(await login(from, 'admin', '1234'), 60);
    });

    it('should not limit GET /user', async () => {
      const from = address();
      const { token } = (await login(from, 'admin', '1234').expect(200)).body as { token: string };
      for (let i = 0; i < 30; i++) {
        await request(server)
          .get('/user')
          .set('X-Forwarded-For', from)
          .set('Authorization', `Bearer ${token}`)
          .expect(200);
      }
    });
  });

  describe('per account name', () => {
    it('should hold a name back after 5 failures, even with the right password and from anywhere, then let it in', async () => {
      await app
        .get((await import('../../src/users/users.service.js')).UsersService)
        .create('victim', 'right password');
      for (let i = 0; i < 5; i++) {
        await login(address(), 'victim', `guess ${i}`).expect(400);
      }
      const wait = expectTooMany(await login(address(), 'victim', 'right password'), 2);
      expectTooMany(await login(address(), 'VICTIM', 'right password'), 2);
      // Other names are not held.
      await login(address(), 'admin', '1234').expect(200);
      await sleep(wait * 1000 + 200);
      await login(address(), 'victim', 'right password').expect(200);
    });

    it('should grow the hold with each further failure', async () => {
      for (let i = 0; i < 5; i++) {
        await login(address(), 'grower', `guess ${i}`).expect(400);
      }
      const first = Number((await login(address(), 'grower', 'x')).headers['retry-after']);
      await sleep(first * 1000 + 200);
      await login(address(), 'grower', 'guess 6').expect(400);
      const second = expectTooMany(await login(address(), 'grower', 'x'), 4);
      expect(second).toBeGreaterThan(first);
    });

    it('should throttle an unknown name exactly like a known one', async () => {
      await app
        .get((await import('../../src/users/users.service.js')).UsersService)
        .create('known', 'right password');
      const answers: string[][] = [];
      for (const name of ['known', 'nobody-by-this-name']) {
        const statuses: string[] = [];
        for (let i = 0; i < 6; i++) {
          const response = await login(address(), name, `wrong ${i}`);
          statuses.push(
            `${response.status} ${JSON.stringify(response.body).replace(/\d+ seconds/, 'N seconds')}`,
          );
        }
        answers.push(statuses);
      }
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[0][5]).toMatch(/^429 /);
    });
  });

  describe('PUT /user/password, the other place a password is checked', () => {
    const createUser = async (name: string, password: string) =>
      app.get((await import('../../src/users/users.service.js')).UsersService).create(name, password);
    const tokenOf = async (name: string, password: string) =>
      ((await login(address(), name, password).expect(200)).body as { token: string }).token;
    const changePassword = (token: string, currentPassword: string, from = address()) =>
      request(server)
        .put('/user/password')
        .set('X-Forwarded-For', from)
        .set('Authorization', `Bearer ${token}`)
        .send({ currentPassword, newPassword: 'a brand new password' });

    it('should hold the account after 5 wrong current passwords, for /login too, then let it in', async () => {
      await createUser('guessed', 'right password');
      const token = await tokenOf('guessed', 'right password');
      for (let i = 0; i < 5; i++) {
        await changePassword(token, `guess ${i}`).expect(400);
      }
      // The right password is refused while held, through either door, from anywhere.
      const wait = expectTooMany(await changePassword(token, 'right password'), 2);
      expectTooMany(await login(address(), 'Guessed', 'right password'), 2);
      await sleep(wait * 1000 + 200);
      await changePassword(token, 'right password').expect(204);
      await login(address(), 'guessed', 'a brand new password').expect(200);
    });

    it('should count failures of both doors toward one hold', async () => {
      await createUser('both-doors', 'right password');
      const token = await tokenOf('both-doors', 'right password');
      for (let i = 0; i < 3; i++) {
        await login(address(), 'both-doors', `guess ${i}`).expect(400);
      }
      await changePassword(token, 'guess 3').expect(400);
      await changePassword(token, 'guess 4').expect(400);
      expectTooMany(await login(address(), 'both-doors', 'right password'), 2);
    });

    it('should limit one address to LOGIN_RATE_LIMIT attempts a minute, whatever they hold', async () => {
      await createUser('address-limited', 'right password');
      const token = await tokenOf('address-limited', 'right password');
      const from = address();
      for (let i = 0; i < 10; i++) {
        // Malformed bodies: counted by the address limit, never reaching the account's hold.
        const response = await request(server)
          .put('/user/password')
          .set('X-Forwarded-For', from)
          .set('Authorization', `Bearer ${token}`)
          .send({});
        expect(response.status).toBe(400);
      }
      expectTooMany(await changePassword(token, 'right password', from), 60);
      await changePassword(token, 'right password').expect(204);
    });
  });

  describe('the step-up routes, where a password is checked again', () => {
    it.each([
      ['POST', '/user/passkeys/registration-options'],
      ['POST', '/user/mfa/totp'],
      ['DELETE', '/user/mfa/totp'],
      ['POST', '/user/email'],
    ])('should limit one address to LOGIN_RATE_LIMIT attempts a minute on %s %s', async (method, path) => {
      const name = `step-up-${method}-${path.replaceAll('/', '-')}`.toLowerCase().slice(0, 60);
      const { UsersService } = await import('../../src/users/users.service.js');
      await app.get(UsersService).create(name, 'right password');
      const token = ((await login(address(), name, 'right password').expect(200)).body as { token: string })
        .token;
      const from = address();
      const call = () =>
        request(server)
          [method === 'POST' ? 'post' : 'delete'](path)
          .set('X-Forwarded-For', from)
          .set('Authorization', `Bearer ${token}`)
          .send({});
      for (let i = 0; i < 10; i++) {
        // Malformed bodies: counted by the address limit, never reaching the account's hold.
        expect((await call()).status).toBe(400);
      }
      expectTooMany(await call(), 60);
    });
  });

  describe('client address', () => {
    it('should ignore X-Forwarded-For unless TRUST_PROXY names the proxy', async () => {
      delete process.env.TRUST_PROXY;
      const { createTestApp, httpServer } = await import('../support/app.js');
      const direct = await createTestApp();
      try {
        // A new name each time: only the per-address limit may answer 429.
        const call = (from: string) =>
          request(httpServer(direct))
            .post('/login')
            .set('X-Forwarded-For', from)
            .send({ name: from, password: 'y' });
        for (let i = 0; i < 10; i++) {
          expect((await call(`192.0.2.${i + 1}`)).status).toBe(400);
        }
        expectTooMany(await call('192.0.2.99'), 60);
      } finally {
        await direct.close();
      }
    });
  });
});
