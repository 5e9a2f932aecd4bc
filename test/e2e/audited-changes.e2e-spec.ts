import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { jest } from '@jest/globals';
import { Secret } from 'otpauth';
import request from 'supertest';
import { AuditStore } from '../../src/audit/audit-store.js';
import { codeForStep, stepAt } from '../../src/mfa/totp.js';
import { createTestApp, httpServer } from '../support/app.js';
import { login, tokenFor } from '../support/session-client.js';
import { SoftAuthenticator } from '../support/soft-authenticator.js';

// Every change to an account or its sessions stores its audit event in the transaction that makes
// it (AuditLog.change): both commit or neither does. Table-driven: each change once as it is made,
// then with its event's INSERT failing as a lost database connection fails it, which must leave
// the account as it was and answer the documented 503.

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'an entirely new passphrase';

/** A fresh account with two sessions: `a` acts, `b` is another device. */
interface Fixture {
  id: number;
  name: string;
  a: string;
  b: string;
  bSessionId: string;
  /** What a case's prepare() set up (a pending TOTP code, a passkey's id). */
  extra: Record<string, string>;
}

interface Case {
  change: string;
  event: string;
  prepare?: (fixture: Fixture) => Promise<Record<string, string>>;
  act: (fixture: Fixture) => request.Test;
  status: number;
  /** The state once the change has committed. */
  done: (fixture: Fixture) => Promise<void>;
  /** The state when it has not: as before. */
  untouched: (fixture: Fixture) => Promise<void>;
}

describe('Changes and their audit events commit together', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let admin: string;
  let serial = 0;

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
    admin = await tokenFor(server, 'admin', '1234');
  });
  afterAll(() => app.close());

  const as = (token: string) => ({
    get: (url: string) => request(server).get(url).set('Authorization', `Bearer ${token}`),
    post: (url: string, body?: object) =>
      request(server).post(url).set('Authorization', `Bearer ${token}`).send(body),
    put: (url: string, body: object) =>
      request(server).put(url).set('Authorization', `Bearer ${token}`).send(body),
    delete: (url: string, body?: object) =>
      request(server).delete(url).set('Authorization', `Bearer ${token}`).send(body),
  });
  const status = async (token: string) => (await as(token).get('/user')).status;
  const loginStatus = async (name: string, password: string) =>
    (await request(server).post('/login').send({ name, password })).status;
  const codeAt = (secret: Buffer) => codeForStep(secret, stepAt(Date.now()));

  async function fixture(): Promise<Fixture> {
    const name = `audited-${++serial}`;
    const created = await as(admin).post('/admin/users', { name, password: PASSWORD }).expect(201);
    const { token: a } = await login(server, name, PASSWORD, 'device a');
    const { token: b } = await login(server, name, PASSWORD, 'device b');
    const sessions = (await as(b).get('/user/sessions').expect(200)).body as {
      id: string;
      current: boolean;
    }[];
    const bSessionId = sessions.find((session) => session.current)!.id;
    return { id: (created.body as { id: number }).id, name, a, b, bSessionId, extra: {} };
  }

  /** Starts TOTP set-up for the account (from `a`): the secret, to answer with a code. */
  async function startTotp(token: string): Promise<Buffer> {
    const started = await as(token).post('/user/mfa/totp', { currentPassword: PASSWORD }).expect(200);
    return Buffer.from(Secret.fromBase32((started.body as { secret: string }).secret).bytes);
  }

  const cases: Case[] = [
    {
      change: 'a password change',
      event: 'password.changed',
      act: ({ a }) => as(a).put('/user/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
      status: 204,
      done: async ({ name, a, b }) => {
        expect(await loginStatus(name, NEW_PASSWORD)).toBe(200);
        expect([await status(a), await status(b)]).toEqual([200, 401]);
      },
      untouched: async ({ name, b }) => {
        expect(await loginStatus(name, PASSWORD)).toBe(200);
        expect(await status(b)).toBe(200);
      },
    },
    {
      change: "an admin's password reset",
      event: 'admin.password.reset',
      act: ({ id }) => as(admin).put(`/admin/users/${id}/password`, { newPassword: NEW_PASSWORD }),
      status: 204,
      done: async ({ name, a, b }) => {
        expect(await loginStatus(name, NEW_PASSWORD)).toBe(200);
        expect([await status(a), await status(b)]).toEqual([401, 401]);
      },
      untouched: async ({ name, a, b }) => {
        expect(await loginStatus(name, PASSWORD)).toBe(200);
        expect([await status(a), await status(b)]).toEqual([200, 200]);
      },
    },
    {
      change: "an admin's deletion",
      event: 'admin.user.deleted',
      act: ({ id }) => as(admin).delete(`/admin/users/${id}`),
      status: 204,
      done: async ({ id, a }) => {
        await as(admin).get(`/admin/users/${id}`).expect(404);
        expect(await status(a)).toBe(401);
      },
      untouched: async ({ id, a, b }) => {
        await as(admin).get(`/admin/users/${id}`).expect(200);
        expect([await status(a), await status(b)]).toEqual([200, 200]);
      },
    },
    {
      change: "an admin's ending of the sessions",
      event: 'admin.sessions.ended',
      act: ({ id }) => as(admin).delete(`/admin/users/${id}/sessions`),
      status: 204,
      done: async ({ a, b }) => expect([await status(a), await status(b)]).toEqual([401, 401]),
      untouched: async ({ a, b }) => expect([await status(a), await status(b)]).toEqual([200, 200]),
    },
    {
      change: "an admin's creation of an account",
      event: 'admin.user.created',
      act: ({ name }) => as(admin).post('/admin/users', { name: `${name}-new`, password: PASSWORD }),
      status: 201,
      done: async ({ name }) => expect(await loginStatus(`${name}-new`, PASSWORD)).toBe(200),
      untouched: async ({ name }) => {
        // The name is free: nothing of the account was stored.
        await as(admin)
          .post('/admin/users', { name: `${name}-new`, password: PASSWORD })
          .expect(201);
      },
    },
    {
      change: 'a global logout',
      event: 'session.ended',
      act: ({ a }) => as(a).post('/logout?scope=global'),
      status: 204,
      done: async ({ a, b }) => expect([await status(a), await status(b)]).toEqual([401, 401]),
      untouched: async ({ a, b }) => expect([await status(a), await status(b)]).toEqual([200, 200]),
    },
    {
      change: 'the end of one of the caller’s sessions',
      event: 'session.ended',
      act: ({ a, bSessionId }) => as(a).delete(`/user/sessions/${bSessionId}`),
      status: 204,
      done: async ({ a, b }) => expect([await status(a), await status(b)]).toEqual([200, 401]),
      untouched: async ({ b }) => expect(await status(b)).toBe(200),
    },
    {
      change: 'turning two-factor on',
      event: 'mfa.totp.enabled',
      prepare: async ({ a }) => ({ secret: (await startTotp(a)).toString('base64') }),
      act: ({ a, extra }) =>
        as(a).post('/user/mfa/totp/confirm', { code: codeAt(Buffer.from(extra.secret, 'base64')) }),
      status: 200,
      done: async ({ name, b }) => {
        const response = await request(server).post('/login').send({ name, password: PASSWORD }).expect(200);
        expect(response.body).toMatchObject({ mfaRequired: true });
        expect(await status(b)).toBe(401);
      },
      untouched: async ({ name, b }) => {
        const response = await request(server).post('/login').send({ name, password: PASSWORD }).expect(200);
        expect(response.body).toMatchObject({ token: expect.any(String) });
        expect(await status(b)).toBe(200);
      },
    },
    {
      change: 'turning two-factor off',
      event: 'mfa.totp.disabled',
      prepare: async ({ a }) => {
        const secret = await startTotp(a);
        await as(a)
          .post('/user/mfa/totp/confirm', { code: codeAt(secret) })
          .expect(200);
        return {};
      },
      act: ({ a }) => as(a).delete('/user/mfa/totp', { currentPassword: PASSWORD }),
      status: 204,
      done: async ({ name }) => {
        const response = await request(server).post('/login').send({ name, password: PASSWORD }).expect(200);
        expect(response.body).toMatchObject({ token: expect.any(String) });
      },
      untouched: async ({ name }) => {
        const response = await request(server).post('/login').send({ name, password: PASSWORD }).expect(200);
        expect(response.body).toMatchObject({ mfaRequired: true });
      },
    },
    {
      change: 'adding a passkey',
      event: 'passkey.added',
      prepare: async ({ a }) => {
        const started = await as(a)
          .post('/user/passkeys/registration-options', { currentPassword: PASSWORD })
          .expect(200);
        const { challengeId, options } = started.body as {
          challengeId: string;
          options: Record<string, unknown>;
        };
        return { challengeId, answer: JSON.stringify(new SoftAuthenticator().register(options)) };
      },
      act: ({ a, extra }) =>
        as(a).post('/user/passkeys', {
          challengeId: extra.challengeId,
          response: JSON.parse(extra.answer) as object,
        }),
      status: 201,
      done: async ({ a }) => expect((await as(a).get('/user/passkeys').expect(200)).body).toHaveLength(1),
      untouched: async ({ a }) =>
        expect((await as(a).get('/user/passkeys').expect(200)).body).toHaveLength(0),
    },
  ];

  /** The stored events of the request that `response` answered. */
  async function eventsOf(response: request.Response): Promise<string[]> {
    const requestId = response.headers['x-request-id'];
    const { body } = await as(admin).get('/admin/audit?limit=100').expect(200);
    return (body as { items: { event: string; requestId: string | null }[] }).items
      .filter((entry) => entry.requestId === requestId)
      .map((entry) => entry.event);
  }

  describe.each(cases)('$change', ({ event, prepare, act, status: ok, done, untouched }) => {
    it(`should make the change and store ${event} with it`, async () => {
      const subject = await fixture();
      subject.extra = (await prepare?.(subject)) ?? {};
      const response = await act(subject);
      expect(response.status).toBe(ok);
      await done(subject);
      expect(await eventsOf(response)).toEqual([event]);
    });

    it('should change nothing, and answer 503, when the event cannot be stored', async () => {
      const subject = await fixture();
      subject.extra = (await prepare?.(subject)) ?? {};
      // The INSERT fails as it does when the database connection drops mid-transaction.
      const failing = jest
        .spyOn(app.get(AuditStore), 'recordIn')
        .mockRejectedValueOnce(
          Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' }),
        );
      let response: request.Response;
      try {
        response = await act(subject);
      } finally {
        failing.mockRestore();
      }
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBeDefined();
      expect(response.body).toMatchObject({ statusCode: 503 });
      await untouched(subject);
      expect(await eventsOf(response)).toEqual([]);
    });
  });
});
