// The forged-token suite (test/support/forgery.ts) over HTTP; each spec file runs it for one
// JWT_ALGORITHM, set before AppModule is imported (in beforeAll: ConfigModule reads the environment then).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { TEST_JWT_SECRET } from './e2e-env.js';
import { FORGERIES, forgeryKit, forgeTokens, resignGenuine, type Kit } from './forgery.js';
import { login, refresh } from './session-client.js';
import { serviceKey, signSegments } from './tokens.js';

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

/** The forged-token suite against a service signing with `algorithm` (set in the environment first). */
export function describeForgedTokens(algorithm: string): void {
  describe(`Forged access tokens (JWT_ALGORITHM=${algorithm})`, () => {
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
      const { createTestApp, httpServer } = await import('./app.js');
      app = await createTestApp();
      server = httpServer(app);
      ({ token: genuine } = await login(server, 'admin', '1234'));
      kit = forgeryKit({
        genuine,
        secret: TEST_JWT_SECRET,
        key: serviceKey(app),
        keyServerUrl: `http://127.0.0.1:${port}`,
      });
      for (const { name, token } of forgeTokens(kit)) {
        tokens.set(name, token);
      }
    });

    afterAll(async () => {
      await app?.close();
      await new Promise((resolve) => keyServer.close(resolve));
    });

    describe('the generator', () => {
      it(`should take apart a genuine ${algorithm} token naming its key`, () => {
        expect(kit.header).toEqual({ alg: algorithm, typ: 'JWT', kid: kit.key.kid });
      });

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
        // By name: with JWT_ALGORITHM=RS256 the service's own key signs RS256 forgeries too.
        const signed = [...tokens]
          .filter(([name]) => /RS256-signed|attacker’s RSA key/.test(name))
          .map(([, token]) => token);
        expect(signed.length).toBeGreaterThanOrEqual(5);
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

    // Not a forgery everywhere: HS256 tokens issued before tokens named their key have no kid.
    const withoutKid = () => {
      const { alg, typ } = kit.header;
      return `${Buffer.from(JSON.stringify({ alg, typ })).toString('base64url')}.${kit.p}`;
    };
    if (algorithm === 'HS256') {
      it('should accept a token without kid signed with JWT_SECRET (issued before kids)', async () => {
        const token = signSegments(kit.key, ...(withoutKid().split('.') as [string, string]));
        await request(server).get('/user').set('Authorization', `Bearer ${token}`).expect(200);
      });
    } else {
      it('should refuse a token without kid, even signed with the real key', async () => {
        const token = signSegments(kit.key, ...(withoutKid().split('.') as [string, string]));
        const response = await request(server).get('/user').set('Authorization', `Bearer ${token}`);
        expect(response.status).toBe(401);
      });
    }

    if (algorithm === 'ES256') {
      // node's crypto returns a high S for about half of all signatures: 32 tokens in a row
      // would all be low by chance once in 4 billion runs.
      it('should issue only ECDSA signatures with a low S (s <= n/2)', async () => {
        const half = 0x7fffffff800000007fffffffffffffffde737d56d38bcf4279dce5617e3192a8n;
        let { refreshToken } = await login(server, 'admin', '1234');
        let last = '';
        for (let i = 0; i < 32; i++) {
          const response = await refresh(server, refreshToken).expect(200);
          const { token } = response.body as { token: string; refreshToken: string };
          ({ refreshToken } = response.body as { refreshToken: string });
          const s = Buffer.from(token.split('.')[2], 'base64url').subarray(32);
          expect(BigInt(`0x${s.toString('hex')}`) <= half).toBe(true);
          await request(server).get('/user').set('Authorization', `Bearer ${token}`).expect(200);
          last = token;
        }
        // The genuine token's session stays the caller's only one, as the last test expects.
        await request(server).post('/logout').set('Authorization', `Bearer ${last}`).expect(204);
      });
    }

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
}
