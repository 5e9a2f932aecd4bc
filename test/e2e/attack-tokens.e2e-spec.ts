// Before AppModule is imported (in beforeAll): ConfigModule reads the environment then.
process.env.LOGIN_RATE_LIMIT = '1000000';
process.env.LOGIN_FAILURE_LIMIT = '1000000';

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { TEST_JWT_SECRET } from '../support/e2e-env.js';
import { FORGERIES, forgeryKit, forgeTokens, resignGenuine, type Kit } from '../support/forgery.js';
import { login } from '../support/session-client.js';

const BEARER_INVALID =
  /^Bearer error="invalid_token", error_description="(The access token (?:is invalid|expired))"$/;

type Call = (server: Server, authorization: string) => request.Test;

const ENDPOINTS: [string, Call][] = [
  ['GET /user', (server, authorization) => request(server).get('/user').set('Authorization', authorization)],
  [
    'GET /user/sessions',
    (server, authorization) => request(server).get('/user/sessions').set('Authorization', authorization),
  ],
  [
    'POST /logout',
    (server, authorization) => request(server).post('/logout').set('Authorization', authorization),
  ],
  [
    'PUT /user/password',
    (server, authorization) =>
      request(server)
        .put('/user/password')
        .set('Authorization', authorization)
        // A valid body, so that only the token can be the reason for a refusal.
        .send({ currentPassword: '1234', newPassword: 'a new password for admin' }),
  ],
];

describe('Forged access tokens', () => {
  let app: NestFastifyApplication;
  let server: Server;
  let genuine: string;
  let kit: Kit;
  const tokens = new Map<string, string>();

  /** jku and x5u point here; the service must never connect. */
  const keyServer = createServer((_request, response) => response.end('{"keys":[]}'));
  let keyServerConnections = 0;
  keyServer.on('connection', () => keyServerConnections++);

  beforeAll(async () => {
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    const { port } = keyServer.address() as AddressInfo;
    const { createTestApp, httpServer } = await import('../support/app.js');
    app = await createTestApp();
    server = httpServer(app);
    ({ token: genuine } = await login(server, 'admin', '1234'));
    kit = forgeryKit({ genuine, secret: TEST_JWT_SECRET, keyServerUrl: `http://127.0.0.1:${port}` });
    for (const { name, token } of forgeTokens(kit)) {
      tokens.set(name, token);
    }
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => keyServer.close(resolve));
  });

  describe('the generator', () => {
    it('should name every forgery differently', () => {
      expect(new Set(FORGERIES.map(({ name }) => name)).size).toBe(FORGERIES.length);
    });

    it('should sign the way the service does: the genuine claims re-signed are accepted', async () => {
      const response = await request(server)
        .get('/user')
        .set('Authorization', `Bearer ${resignGenuine(kit)}`)
        .expect(200);
      expect(response.body).toEqual({ id: 1, name: 'admin' });
    });

    it('should make the 12 KiB tokens 12 KiB long', () => {
      for (const [name, token] of tokens) {
        if (name.startsWith('a 12 KiB token')) {
          expect(token.length).toBeGreaterThan(12 * 1024 - 8);
          expect(token.length).toBeLessThanOrEqual(12 * 1024);
        }
      }
    });

    it('should sign the RS256 forgeries correctly with the attacker key', () => {
      const rs256 = [...tokens.values()].filter((token) =>
        /"alg":"RS256"/.test(Buffer.from(token.split('.')[0], 'base64url').toString()),
      );
      const signed = rs256.filter((token) => token.split('.')[2].length > 300);
      expect(signed.length).toBeGreaterThanOrEqual(4);
      for (const token of signed) {
        const [h, p, s] = token.split('.');
        expect(
          verify(
            'sha256',
            Buffer.from(`${h}.${p}`),
            { key: kit.attackerJwk, format: 'jwk' },
            Buffer.from(s, 'base64url'),
          ),
        ).toBe(true);
      }
    });
  });

  describe.each(ENDPOINTS)('%s', (_endpoint, call) => {
    it.each(FORGERIES.map(({ name }) => name))('should refuse %s', async (name) => {
      const response = await call(server, `Bearer ${tokens.get(name)}`);
      expect(response.status).toBe(401);
      const challenge = response.headers['www-authenticate'] as string | undefined;
      expect(challenge).toMatch(BEARER_INVALID);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: BEARER_INVALID.exec(challenge ?? '')?.[1],
      });
    });
  });

  it('should still serve the genuine token afterwards', async () => {
    const user = await request(server).get('/user').set('Authorization', `Bearer ${genuine}`).expect(200);
    expect(user.body).toEqual({ id: 1, name: 'admin' });
    const sessions = await request(server)
      .get('/user/sessions')
      .set('Authorization', `Bearer ${genuine}`)
      .expect(200);
    expect(sessions.body).toEqual([expect.objectContaining({ current: true })]);
  });

  it('should never have contacted the jku/x5u key server', async () => {
    // A fetch started in the background would land after its request was answered.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(keyServerConnections).toBe(0);
  });
});
