import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { KeyActions } from '../../src/keys/key-actions.js';
import { KeyRing } from '../../src/keys/key-ring.js';
import { createTestApp, httpServer } from '../support/app.js';
import { usingPostgres } from '../support/postgres.js';
import { getUser, login, pairFrom, refresh } from '../support/session-client.js';

const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as { kid: string }).kid;

describe('Signing keys: the JWKS, rotation, revocation, keys at rest (ES256, the default)', () => {
  let app: NestFastifyApplication;
  let server: ReturnType<typeof httpServer>;
  let ring: KeyRing;
  let actions: KeyActions;

  beforeAll(async () => {
    app = await createTestApp();
    server = httpServer(app);
    ring = app.get(KeyRing);
    actions = app.get(KeyActions);
  });

  afterAll(() => app.close());

  const jwks = async () => {
    const response = await request(server).get('/.well-known/jwks.json').expect(200);
    return response.body as JSONWebKeySet;
  };

  describe('GET /.well-known/jwks.json', () => {
    it('should publish the public key only, cacheable by anyone for JWKS_MAX_AGE, with no token', async () => {
      const response = await request(server)
        .get('/.well-known/jwks.json')
        .expect(200)
        .expect('content-type', /^application\/json/)
        .expect('cache-control', 'public, max-age=300')
        .expect('access-control-allow-origin', '*');
      const { keys: published } = response.body as JSONWebKeySet;
      expect(published).toHaveLength(1);
      expect(published[0]).toStrictEqual({
        kty: 'EC',
        crv: 'P-256',
        x: expect.stringMatching(/^[\w-]{43}$/),
        y: expect.stringMatching(/^[\w-]{43}$/),
        kid: expect.stringMatching(/^[\w-]{43}$/),
        alg: 'ES256',
        use: 'sig',
      });
    });

    it('should be in the OpenAPI document, public', async () => {
      const { body } = await request(server).get('/docs/openapi.json').expect(200);
      const operation = (body as { paths: Record<string, { get?: { security?: unknown } }> }).paths[
        '/.well-known/jwks.json'
      ]?.get;
      expect(operation).toBeDefined();
      expect(operation?.security).toEqual([]); // OpenAPI's "no credentials" (src/docs/api-docs.ts)
    });

    it('should let a third party verify our tokens with jose against it (issuer, audience, ES256 only)', async () => {
      const { token } = await login(server, 'admin', '1234');
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(await jwks()), {
        issuer: 'nest-jwt-auth',
        audience: 'nest-jwt-auth',
        algorithms: ['ES256'],
      });
      expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'JWT', kid: kidOf(token) });
      expect(payload).toMatchObject({ sub: '1', name: 'admin' });
    });
  });

  describe('rotation', () => {
    it('should publish the next key before it signs, then sign with it, old and new tokens both valid', async () => {
      const before = await login(server, 'admin', '1234');
      const oldKid = kidOf(before.token);

      const { kid: nextKid } = await actions.rotate({ now: false });
      expect((await jwks()).keys.map(({ kid }) => kid)).toEqual([oldKid, nextKid]);
      // Not signing yet: verifiers caching the JWKS have JWKS_MAX_AGE to learn it.
      expect(kidOf((await login(server, 'admin', '1234')).token)).toBe(oldKid);

      await actions.rotate({ now: true });
      const after = await login(server, 'admin', '1234');
      expect(kidOf(after.token)).toBe(nextKid);
      await getUser(server, before.token).expect(200);
      await getUser(server, after.token).expect(200);
      // The retiring key stays published until its last token has expired.
      expect((await jwks()).keys.map(({ kid }) => kid)).toEqual([oldKid, nextKid]);
    });
  });

  describe('revocation', () => {
    it('should refuse the revoked key’s tokens at once, remembered or not, and keep sessions alive', async () => {
      const pair = await login(server, 'admin', '1234');
      const revoked = kidOf(pair.token);
      await getUser(server, pair.token).expect(200); // now remembered by the strategy

      const { replacedBy } = await actions.revoke(revoked);
      expect(replacedBy).toBeDefined();
      await getUser(server, pair.token).expect(401);
      expect((await jwks()).keys.map(({ kid }) => kid)).not.toContain(revoked);
      expect((await jwks()).keys.map(({ kid }) => kid)).toContain(replacedBy);

      // The session survives: its refresh token buys a token signed with the key now active.
      const renewed = pairFrom(await refresh(server, pair.refreshToken).expect(200));
      expect(kidOf(renewed.token)).toBe(replacedBy);
      await getUser(server, renewed.token).expect(200);
    });
  });

  describe('at rest', () => {
    it('should store private keys only sealed (AES-256-GCM), never as a key anyone can read', async () => {
      const dataSource = app.get(DataSource);
      const rows = await dataSource.query<{ kid: string; public_jwk: string; private_key: string }[]>(
        'SELECT kid, public_jwk, private_key FROM signing_keys',
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
      const signer = ring.currentSigner();
      const jwk = signer.key.export({ format: 'jwk' });
      const der = signer.key.export({ format: 'der', type: 'pkcs8' });
      const scalar = Buffer.from(jwk.d!, 'base64url');
      for (const row of rows) {
        expect(row.private_key).toMatch(/^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
        expect(row.private_key).not.toContain(jwk.d);
        expect(JSON.parse(row.public_jwk)).not.toHaveProperty('d');
      }
      if (!usingPostgres()) {
        // The database file itself, with its write-ahead log: what a copied data directory holds.
        const dir = process.env.DATA_DIR!;
        for (const file of readdirSync(dir).filter((name) => name.startsWith('auth.sqlite'))) {
          const bytes = readFileSync(join(dir, file));
          expect(bytes.includes('PRIVATE KEY')).toBe(false);
          expect(bytes.includes(jwk.d!)).toBe(false);
          expect(bytes.includes(scalar)).toBe(false);
          expect(bytes.includes(der)).toBe(false);
        }
      }
    });
  });
});
