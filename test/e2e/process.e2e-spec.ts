import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { failedStart, MAIN, startServer } from '../support/server-process.js';
import { kidOf } from '../support/keys-cli.js';
import { postLogin, tokenFor } from '../support/session-client.js';
import { PRODUCTION_SECRET } from '../support/secrets.js';

// Start-up, configuration and persistence, checked on the built service (dist/main.js) in its
// own process, as an operator runs it.
jest.setTimeout(60_000);

const workdir = () => mkdtempSync(join(tmpdir(), 'nest-jwt-auth-process-'));
const SECRET = PRODUCTION_SECRET;

const getUser = (url: string, token: string) =>
  fetch(`${url}/user`, { headers: { Authorization: `Bearer ${token}` } });

beforeAll(() => {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: run the tests with \`npm test\`, which builds first`);
  }
});

describe('Start-up with a bad environment', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT must be a port number'],
    [{ ACCESS_TOKEN_TTL: '-1' }, 'ACCESS_TOKEN_TTL must be a whole number of seconds'],
    [{ JWT_SECRET: 'too-short' }, 'JWT_SECRET must be at least 32 bytes'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET is required in production'],
    [
      { NODE_ENV: 'production', JWT_SECRET: 'change-me-to-a-random-string-of-at-least-32-bytes' },
      'JWT_SECRET must not be a published secret',
    ],
    // Long enough, and not on the list of published secrets, but guessable.
    [{ NODE_ENV: 'production', JWT_SECRET: 'a'.repeat(48) }, 'JWT_SECRET must be random'],
    [
      { NODE_ENV: 'production', JWT_SECRET: 'my-super-secret-jwt-key-for-production-2024' },
      'generate one with `openssl rand -base64 48`',
    ],
    // Mail on in production: its links need PUBLIC_URL (never the Host header) and a sender.
    [
      {
        NODE_ENV: 'production',
        JWT_SECRET: SECRET,
        SMTP_URL: 'smtp://mailer:smtp-password@127.0.0.1:2525?requireTLS=true',
        MAIL_FROM: 'no-reply@example.com',
      },
      'PUBLIC_URL is required in production when SMTP_URL is set',
    ],
    [
      {
        NODE_ENV: 'production',
        JWT_SECRET: SECRET,
        SMTP_URL: 'smtp://mailer:smtp-password@127.0.0.1:2525?requireTLS=true',
        PUBLIC_URL: 'https://auth.example.com',
      },
      'MAIL_FROM is required in production when SMTP_URL is set',
    ],
  ])('should refuse %p with one line naming the variable and the rule', async (env, rule) => {
    const cwd = workdir();
    const { code, stderr } = await failedStart({ DATA_DIR: join(cwd, 'data'), ...env }, cwd);
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(rule);
    expect(stderr).not.toMatch(/\n\s+at |node_modules|\.js:\d+/);
    for (const value of Object.values(env)) {
      if (!['production'].includes(value)) {
        expect(stderr).not.toContain(value);
      }
    }
  });

  it('should say so in one line when the port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cwd = workdir();
      const { code, stderr } = await failedStart({ DATA_DIR: join(cwd, 'data'), PORT: String(port) }, cwd);
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^Failed to start: .*EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });
});

describe('Development defaults', () => {
  it('should create the database and a secret on first start, and keep both across a restart', async () => {
    const cwd = workdir();
    const first = await startServer({}, cwd);
    let token: string;
    try {
      expect(first.url).toMatch(/^http:\/\/localhost:\d+$/);
      expect(first.output()).toContain('created the tutorial\'s demo account "admin"');
      expect(first.output()).toContain('JWT_SECRET is not set');
      token = await tokenFor(first.url, 'admin', '1234');
      expect((await getUser(first.url, token)).status).toBe(200);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(existsSync(join(cwd, 'data', 'auth.sqlite'))).toBe(true);
    expect(statSync(join(cwd, 'data', 'jwt-secret')).mode & 0o777).toBe(0o600);

    const second = await startServer({}, cwd);
    try {
      expect(second.output()).not.toContain('created');
      const response = await getUser(second.url, token);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ id: 1, name: 'admin' });
    } finally {
      await second.stop();
    }
  });

  it('should honour DATABASE_PATH and ADMIN_NAME/ADMIN_PASSWORD', async () => {
    const cwd = workdir();
    const server = await startServer(
      {
        DATABASE_PATH: join(cwd, 'elsewhere', 'users.db'),
        ADMIN_NAME: 'root',
        ADMIN_PASSWORD: 'long enough pw',
      },
      cwd,
    );
    try {
      expect(existsSync(join(cwd, 'elsewhere', 'users.db'))).toBe(true);
      await tokenFor(server.url, 'root', 'long enough pw');
      expect((await postLogin(server.url, 'admin', '1234')).status).toBe(400);
    } finally {
      await server.stop();
    }
  });
});

describe('Production', () => {
  it('should create no demo account, and say how to create an admin', async () => {
    const cwd = workdir();
    const server = await startServer({ NODE_ENV: 'production', JWT_SECRET: SECRET, HOST: '127.0.0.1' }, cwd);
    try {
      expect(server.output()).toContain('set ADMIN_NAME and ADMIN_PASSWORD');
      expect((await postLogin(server.url, 'admin', '1234')).status).toBe(400);
    } finally {
      await server.stop();
    }
  });

  it('should create the admin from ADMIN_NAME/ADMIN_PASSWORD, once', async () => {
    const cwd = workdir();
    const env = {
      NODE_ENV: 'production',
      JWT_SECRET: SECRET,
      HOST: '127.0.0.1',
      ADMIN_NAME: 'operator',
      ADMIN_PASSWORD: 'correct horse battery staple',
    };
    const first = await startServer(env, cwd);
    let token: string;
    try {
      // Production logs are JSON, where the quotes come escaped.
      expect(first.output()).toMatch(/created \\?"operator\\?"/);
      token = await tokenFor(first.url, 'operator', 'correct horse battery staple');
    } finally {
      await first.stop();
    }
    const second = await startServer({ ...env, ADMIN_PASSWORD: 'a different password' }, cwd);
    try {
      expect(second.output()).not.toContain('created');
      expect((await getUser(second.url, token)).status).toBe(200);
      expect((await postLogin(second.url, 'operator', 'a different password')).status).toBe(400);
    } finally {
      await second.stop();
    }
  });

  /** A token issued by a service run once in `cwd` with JWT_SECRET=SECRET, then stopped. */
  async function tokenUnder(env: Record<string, string>, cwd: string): Promise<string> {
    const first = await startServer({ ...env, JWT_SECRET: SECRET }, cwd);
    try {
      return await tokenFor(first.url, 'operator', 'long enough pw');
    } finally {
      await first.stop();
    }
  }

  it('should refuse tokens signed before the secret changed, with HS256 (JWT_SECRET signs)', async () => {
    const cwd = workdir();
    const env = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      ADMIN_NAME: 'operator',
      ADMIN_PASSWORD: 'long enough pw',
      JWT_ALGORITHM: 'HS256',
    };
    const token = await tokenUnder(env, cwd);
    const second = await startServer({ ...env, JWT_SECRET: `${SECRET}-rotated` }, cwd);
    try {
      expect((await getUser(second.url, token)).status).toBe(401);
    } finally {
      await second.stop();
    }
  });

  it('should log nobody out when JWT_SECRET changes under ES256: a new key signs, the old one verifies until it retires', async () => {
    const cwd = workdir();
    const env = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      ADMIN_NAME: 'operator',
      ADMIN_PASSWORD: 'long enough pw',
    };
    const token = await tokenUnder(env, cwd);
    const second = await startServer({ ...env, JWT_SECRET: `${SECRET}-rotated` }, cwd);
    try {
      expect((await getUser(second.url, token)).status).toBe(200);
      const fresh = await tokenFor(second.url, 'operator', 'long enough pw');
      expect(kidOf(fresh)).not.toBe(kidOf(token));
      // The old private key no longer opens: said once, without the key.
      expect(second.output()).toMatch(/does not open with this secret/);
      const jwks = (await (await fetch(`${second.url}/.well-known/jwks.json`)).json()) as {
        keys: { kid: string }[];
      };
      expect(jwks.keys.map((key) => key.kid).sort()).toEqual([kidOf(token), kidOf(fresh)].sort());
    } finally {
      await second.stop();
    }
  });
});
