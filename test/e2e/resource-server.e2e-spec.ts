import { spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { MAIN, ROOT, spawnProcess, type ServiceProcess } from '../../scripts/lib/service-process.mjs';
import { keysCli } from '../support/keys-cli.js';
import { startServer, type RunningServer } from '../support/server-process.js';
import { login, type Pair } from '../support/session-client.js';
import { encode, signRaw } from '../support/tokens.js';

// Another service verifying our access tokens through GET /.well-known/jwks.json, as
// docs/verifying-tokens.md tells it to: the example of examples/resource-server/ (NestJS,
// passport-jwt, jwks-rsa) in its own process, and jose's createRemoteJWKSet in this one, against
// the built service, through a key rotation and a key revocation made with the operators' CLI.
jest.setTimeout(60_000);

const EXAMPLE_DIR = join(ROOT, 'examples', 'resource-server');
const EXAMPLE_MAIN = join(EXAMPLE_DIR, 'dist', 'main.js');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const KEYS_CLI = join(ROOT, 'dist', 'cli', 'keys.cli.js');
const ISSUER = 'nest-jwt-auth';
const AUDIENCE = 'nest-jwt-auth';

const cwd = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-resource-server-'));
const dataEnv = { DATA_DIR: join(cwd, 'data') };

/** `npm run keys -- ...` as an operator runs it next to the service: same directory, same DATA_DIR. */
const keys = (...args: string[]) => keysCli(cwd, args, dataEnv);

/** Starts the compiled example against `jwksUri`; `env` adds its own settings. */
async function startExample(jwksUri: string, env: Record<string, string>): Promise<ServiceProcess> {
  const example = spawnProcess({
    command: process.execPath,
    args: [EXAMPLE_MAIN],
    env: { PATH: process.env.PATH, NO_COLOR: '1', PORT: '0', JWKS_URI: jwksUri, ...env },
    cwd: EXAMPLE_DIR,
    label: 'resource-server example',
  });
  try {
    await example.listening();
  } catch (error) {
    await example.stop();
    throw error;
  }
  return example;
}

async function me(example: ServiceProcess, token: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${example.url}/me`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() };
}

const headerOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as Record<string, unknown>;
const kidOf = (token: string) => headerOf(token).kid as string;

/** Polls `probe` until it returns `expected`, or the last value after `ms`. */
async function eventually<T>(probe: () => Promise<T>, expected: T, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let value = await probe();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await probe();
  }
  return value;
}

const UNAUTHORIZED = { statusCode: 401, message: 'Unauthorized' };

let server: RunningServer;
let jwksUri: string;
/**
 * JWKS_CACHE_MAX_AGE=1: learns of a revocation within a second or so rather than after the
 * default five minutes, so that the test can wait for it.
 */
let fresh: ServiceProcess;
/** JWKS_CACHE_MAX_AGE unset (300 s): keeps every key it fetched for five minutes, as verifiers do. */
let cached: ServiceProcess;
/**
 * The jose verifier of docs/verifying-tokens.md, with the cache short enough for the revocation
 * below to reach it within the test, and no cooldown: by default jose fetches the set at most
 * once every 30 s, so a kid rotated in within 30 s of its last fetch would be refused.
 */
let joseKeys: ReturnType<typeof createRemoteJWKSet>;
const joseVerify = (token: string, options: { issuer?: string; audience?: string } = {}) =>
  jwtVerify(token, joseKeys, {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: ['ES256', 'RS256'],
    ...options,
  });

beforeAll(async () => {
  for (const built of [MAIN, KEYS_CLI]) {
    if (!existsSync(built)) {
      throw new Error(`${built} is missing: run \`npm run build\` first (npm test does)`);
    }
  }
  // The example is compiled here, with the root TypeScript, as its README says: npm run build
  // builds only the service, and a test that compiles what it runs never runs a stale build.
  const tsc = spawnSync(process.execPath, [TSC, '-p', join(EXAMPLE_DIR, 'tsconfig.json')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) {
    throw new Error(`compiling examples/resource-server failed:\n${tsc.stdout}${tsc.stderr}`);
  }
  // The service reads keys changed by the CLI on its next poll: one second here.
  server = await startServer({ ...dataEnv, REVOCATION_POLL_INTERVAL: '1' }, cwd);
  // 127.0.0.1: the example listens there, and "localhost" may resolve to ::1 first.
  jwksUri = `${server.url.replace('localhost', '127.0.0.1')}/.well-known/jwks.json`;
  [fresh, cached] = await Promise.all([
    // A 1 s cache refetches often: lift jwks-rsa's rate limit (10 a minute), or it would refuse
    // tokens with its own error once this test has made it fetch ten times.
    startExample(jwksUri, { JWKS_CACHE_MAX_AGE: '1', JWKS_REQUESTS_PER_MINUTE: '600' }),
    startExample(jwksUri, {}),
  ]);
  joseKeys = createRemoteJWKSet(new URL(jwksUri), { cacheMaxAge: 1000, cooldownDuration: 0 });
}, 120_000);

afterAll(async () => {
  await Promise.all([fresh?.stop(), cached?.stop(), server?.stop()]);
});

describe('GET /.well-known/jwks.json', () => {
  it('should publish the public key that signed a token, and only its public part', async () => {
    const { token } = await login(server.url, 'admin', '1234');
    expect(headerOf(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: expect.any(String) });
    const response = await fetch(jwksUri);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const { keys: published } = (await response.json()) as { keys: JWK[] };
    expect(published).toEqual([
      {
        kty: 'EC',
        crv: 'P-256',
        x: expect.any(String),
        y: expect.any(String),
        kid: kidOf(token),
        alg: 'ES256',
        use: 'sig',
      },
    ]);
  });
});

describe('A resource server verifying our tokens with the JWKS', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await login(server.url, 'admin', '1234');
  });

  it.each([
    ['with a 1 s cache', () => fresh],
    ['with the default cache', () => cached],
  ])('should accept a token we issued (%s): 200 with its sub and name', async (_label, example) => {
    expect(await me(example(), pair.token)).toEqual({ status: 200, body: { sub: '1', name: 'admin' } });
  });

  it("should accept it with jose's createRemoteJWKSet and jwtVerify", async () => {
    const { payload, protectedHeader } = await joseVerify(pair.token);
    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'JWT', kid: kidOf(pair.token) });
    expect(payload).toMatchObject({ sub: '1', id: 1, name: 'admin', iss: ISSUER, aud: AUDIENCE });
  });

  it('should answer its public route without a token, and refuse /me without one', async () => {
    expect((await fetch(`${fresh.url}/health`)).status).toBe(200);
    const response = await fetch(`${fresh.url}/me`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(UNAUTHORIZED);
  });

  describe('forged tokens', () => {
    interface Kit {
      header: Record<string, unknown>;
      claims: JWTPayload;
      h: string;
      p: string;
      s: string;
      /** Our published key, as a JWK and as the PEM a verifier holds it as. */
      jwk: JWK;
      pem: string;
    }
    const attackerEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const attackerRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signAs = (key: KeyObject, header: Record<string, unknown>, claims: JWTPayload) =>
      new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
    const hs256 = (kit: Kit, secret: string) =>
      signRaw(encode({ ...kit.header, alg: 'HS256' }), kit.p, secret);

    /** Each forgery, and the code of the error jose refuses it with. */
    const FORGERIES: [string, string, (kit: Kit) => string | Promise<string>][] = [
      [
        'the payload changed (name "root"), the signature kept',
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
        (kit) => `${kit.h}.${encode({ ...kit.claims, name: 'root' })}.${kit.s}`,
      ],
      [
        'the payload changed (sub "2"), the signature kept',
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
        (kit) => `${kit.h}.${encode({ ...kit.claims, sub: '2', id: 2 })}.${kit.s}`,
      ],
      ['the signature cut off', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', (kit) => `${kit.h}.${kit.p}.`],
      [
        'HS256 with our public key as PEM for the HMAC secret',
        'ERR_JOSE_ALG_NOT_ALLOWED',
        (kit) => hs256(kit, kit.pem),
      ],
      [
        'HS256 with our public key as JWK JSON for the HMAC secret',
        'ERR_JOSE_ALG_NOT_ALLOWED',
        (kit) => hs256(kit, JSON.stringify(kit.jwk)),
      ],
      [
        'alg "none", no signature',
        'ERR_JOSE_ALG_NOT_ALLOWED',
        (kit) => `${encode({ ...kit.header, alg: 'none' })}.${kit.p}.`,
      ],
      [
        'alg "None", no signature',
        'ERR_JOSE_ALG_NOT_ALLOWED',
        (kit) => `${encode({ ...kit.header, alg: 'None' })}.${kit.p}.`,
      ],
      [
        'alg "none", the genuine signature kept',
        'ERR_JOSE_ALG_NOT_ALLOWED',
        (kit) => `${encode({ ...kit.header, alg: 'none' })}.${kit.p}.${kit.s}`,
      ],
      [
        "an attacker's own ES256 key, with our kid",
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
        (kit) => signAs(attackerEc.privateKey, kit.header, kit.claims),
      ],
      [
        "an attacker's own RS256 key, with our kid",
        'ERR_JWKS_NO_MATCHING_KEY',
        (kit) => signAs(attackerRsa.privateKey, { ...kit.header, alg: 'RS256' }, kit.claims),
      ],
      [
        "an attacker's own ES256 key, carried in a jwk header under a kid of its own",
        'ERR_JWKS_NO_MATCHING_KEY',
        (kit) =>
          signAs(
            attackerEc.privateKey,
            {
              alg: 'ES256',
              typ: 'JWT',
              kid: 'attacker',
              jwk: attackerEc.publicKey.export({ format: 'jwk' }),
            },
            kit.claims,
          ),
      ],
      [
        "an attacker's own ES256 key, its JWKS named in a jku header",
        'ERR_JWKS_NO_MATCHING_KEY',
        (kit) =>
          signAs(
            attackerEc.privateKey,
            { alg: 'ES256', typ: 'JWT', kid: 'attacker', jku: 'http://127.0.0.1:9/jwks.json' },
            kit.claims,
          ),
      ],
    ];

    let kit: Kit;
    beforeAll(async () => {
      const [h, p, s] = pair.token.split('.');
      const { keys: published } = (await (await fetch(jwksUri)).json()) as { keys: JWK[] };
      const jwk = published.find((key) => key.kid === kidOf(pair.token));
      if (jwk === undefined) {
        throw new Error('the JWKS does not hold the key of a fresh token');
      }
      const pem = createPublicKey({ key: jwk, format: 'jwk' })
        .export({ type: 'spki', format: 'pem' })
        .toString();
      kit = {
        header: headerOf(pair.token),
        claims: JSON.parse(Buffer.from(p, 'base64url').toString()) as JWTPayload,
        h,
        p,
        s,
        jwk,
        pem,
      };
    });

    it("should accept the attacker kit's own control: the genuine token", async () => {
      expect((await me(fresh, `${kit.h}.${kit.p}.${kit.s}`)).status).toBe(200);
    });

    it.each(FORGERIES)('should refuse %s', async (_name, joseCode, build) => {
      const token = await build(kit);
      expect(await me(fresh, token)).toEqual({ status: 401, body: UNAUTHORIZED });
      expect(await me(cached, token)).toEqual({ status: 401, body: UNAUTHORIZED });
      await expect(joseVerify(token)).rejects.toHaveProperty('code', joseCode);
    });
  });

  it.each([
    ['JWT_AUDIENCE', 'another-api', 'aud'],
    ['JWT_ISSUER', 'someone-else', 'iss'],
  ])('should refuse our token where %s is %p (jose names the claim, %p)', async (variable, value, claim) => {
    const other = await startExample(jwksUri, { [variable]: value });
    try {
      expect(await me(other, pair.token)).toEqual({ status: 401, body: UNAUTHORIZED });
    } finally {
      await other.stop();
    }
    const option = variable === 'JWT_AUDIENCE' ? { audience: value } : { issuer: value };
    await expect(joseVerify(pair.token, option)).rejects.toMatchObject({
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      claim,
    });
  });
});

describe('Key rotation and revocation, seen by the resource server', () => {
  // One story, in order: a token of the first key, a rotation, then that key revoked.
  let before: Pair;
  let after: Pair;

  it('should accept both the old and the new key after `keys -- rotate --now`', async () => {
    before = await login(server.url, 'admin', '1234');
    expect((await me(cached, before.token)).status).toBe(200);

    const rotated = await keys('rotate', '--now');
    expect(rotated).toEqual({ code: 0, stdout: expect.stringMatching(/, signing now\n$/), stderr: '' });
    // The service takes the new key on its next poll of the keys.
    after = await login(server.url, 'admin', '1234');
    const deadline = Date.now() + 10_000;
    while (kidOf(after.token) === kidOf(before.token) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      after = await login(server.url, 'admin', '1234');
    }
    expect(kidOf(after.token)).not.toBe(kidOf(before.token));
    expect(rotated.stdout).toContain(kidOf(after.token));

    // The default-cache example has never seen the new kid: jwks-rsa fetches it on the miss.
    for (const example of [cached, fresh]) {
      expect(await me(example, after.token)).toEqual({ status: 200, body: { sub: '1', name: 'admin' } });
      expect(await me(example, before.token)).toEqual({ status: 200, body: { sub: '1', name: 'admin' } });
    }
    await expect(joseVerify(after.token)).resolves.toHaveProperty('protectedHeader.kid', kidOf(after.token));
    await expect(joseVerify(before.token)).resolves.toHaveProperty(
      'protectedHeader.kid',
      kidOf(before.token),
    );

    const listed = await keys('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${kidOf(before.token)} +ES256 +retiring `, 'm'));
    expect(listed.stdout).toMatch(new RegExp(`^${kidOf(after.token)} +ES256 +active `, 'm'));
  });

  it('should refuse the revoked key once a verifier refetches, while /refresh issues tokens of the new key', async () => {
    const oldKid = kidOf(before.token);
    expect(await keys('revoke', oldKid)).toEqual({
      code: 0,
      stdout: `revoked ${oldKid}: out of the JWKS, its tokens refused\n`,
      stderr: '',
    });
    const publishedKids = async () =>
      ((await (await fetch(jwksUri)).json()) as { keys: JWK[] }).keys.map((key) => key.kid).join(' ');
    expect(await eventually(publishedKids, kidOf(after.token))).toBe(kidOf(after.token));

    // Once its cached copy of the key (1 s) has expired, the example refetches and finds no such kid.
    expect(await eventually(async () => (await me(fresh, before.token)).status, 401)).toBe(401);
    expect(await me(fresh, before.token)).toEqual({ status: 401, body: UNAUTHORIZED });
    await expect(
      eventually(
        () =>
          joseVerify(before.token).then(
            () => 'accepted',
            (error: { code?: string }) => error.code,
          ),
        'ERR_JWKS_NO_MATCHING_KEY',
      ),
    ).resolves.toBe('ERR_JWKS_NO_MATCHING_KEY');
    // What docs/verifying-tokens.md warns of: a verifier that cached the key (here for 300 s)
    // goes on accepting its tokens until its copy expires. We refuse them already.
    expect((await me(cached, before.token)).status).toBe(200);
    const ours = await fetch(`${server.url}/user`, { headers: { Authorization: `Bearer ${before.token}` } });
    expect(ours.status).toBe(401);

    // The session outlives the key: refreshing it issues a token of the key that signs now.
    const response = await fetch(`${server.url}/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: before.refreshToken }),
    });
    expect(response.status).toBe(200);
    const renewed = (await response.json()) as { token: string };
    expect(kidOf(renewed.token)).toBe(kidOf(after.token));
    expect(await me(fresh, renewed.token)).toEqual({ status: 200, body: { sub: '1', name: 'admin' } });
    expect(await me(cached, renewed.token)).toEqual({ status: 200, body: { sub: '1', name: 'admin' } });
    await expect(joseVerify(renewed.token)).resolves.toHaveProperty('payload.sub', '1');
  });
});

describe('With JWT_ALGORITHM=RS256', () => {
  it('should have its RS256 tokens accepted by the same example and jose', async () => {
    const rsaCwd = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-resource-server-rs256-'));
    const rsa = await startServer({ DATA_DIR: join(rsaCwd, 'data'), JWT_ALGORITHM: 'RS256' }, rsaCwd);
    const rsaJwks = `${rsa.url.replace('localhost', '127.0.0.1')}/.well-known/jwks.json`;
    const example = await startExample(rsaJwks, {}).catch(async (error: unknown) => {
      await rsa.stop();
      throw error;
    });
    try {
      const { token } = await login(rsa.url, 'admin', '1234');
      expect(headerOf(token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) });
      const { keys: published } = (await (await fetch(rsaJwks)).json()) as { keys: JWK[] };
      expect(published).toEqual([
        { kty: 'RSA', n: expect.any(String), e: 'AQAB', kid: kidOf(token), alg: 'RS256', use: 'sig' },
      ]);
      expect(await me(example, token)).toEqual({ status: 200, body: { sub: '1', name: 'admin' } });
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(rsaJwks)), {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['ES256', 'RS256'],
      });
      expect(payload).toMatchObject({ sub: '1', name: 'admin' });
    } finally {
      await Promise.all([example.stop(), rsa.stop()]);
    }
  });
});
