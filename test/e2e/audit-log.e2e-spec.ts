import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { startServer, type RunningServer } from '../support/server-process.js';
import { PRODUCTION_SECRET } from '../support/secrets.js';

// The logs of a real production process, read line by line as JSON: request ids, audit events,
// and no secret anywhere.
jest.setTimeout(60_000);

interface LogLine {
  msg?: string;
  event?: string;
  req?: { id?: string };
  [field: string]: unknown;
}

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'an entirely new passphrase';
const WRONG = 'wrong-password-7f3a9c';

describe('Audit log', () => {
  let server: RunningServer;
  const secrets: string[] = [PASSWORD, NEW_PASSWORD, WRONG];
  const requestIds = new Map<string, string>();
  let lines: LogLine[];

  const call = async (label: string, path: string, init: RequestInit & { token?: string } = {}) => {
    const headers: Record<string, string> =
      init.body === undefined ? {} : { 'Content-Type': 'application/json' };
    if (init.token) {
      headers.Authorization = `Bearer ${init.token}`;
    }
    const response = await fetch(`${server.url}${path}`, { ...init, headers });
    requestIds.set(label, response.headers.get('x-request-id') ?? '');
    return response;
  };

  beforeAll(async () => {
    server = await startServer(
      {
        NODE_ENV: 'production',
        JWT_SECRET: PRODUCTION_SECRET,
        HOST: '127.0.0.1',
        ADMIN_NAME: 'auditor',
        ADMIN_PASSWORD: PASSWORD,
        LOG_LEVEL: 'info',
        REFRESH_REUSE_GRACE: '0',
        LOGIN_FAILURE_LIMIT: '3',
      },
      mkdtempSync(join(tmpdir(), 'nest-jwt-auth-audit-')),
    );
    const body = (name: string, password: string) => JSON.stringify({ name, password });

    const login = await call('login', '/login', { method: 'POST', body: body('auditor', PASSWORD) });
    const first = (await login.json()) as { token: string; refreshToken: string };
    secrets.push(first.token, first.refreshToken, first.token.split('.')[2]);
    await call('failed', '/login', { method: 'POST', body: body('auditor', WRONG) });

    const refreshed = await call('refresh', '/refresh', {
      method: 'POST',
      body: JSON.stringify({ refreshToken: first.refreshToken }),
    });
    const second = (await refreshed.json()) as { token: string; refreshToken: string };
    secrets.push(second.token, second.refreshToken);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await call('replay', '/refresh', {
      method: 'POST',
      body: JSON.stringify({ refreshToken: first.refreshToken }),
    });

    const third = (await (
      await call('login2', '/login', { method: 'POST', body: body('auditor', PASSWORD) })
    ).json()) as {
      token: string;
      refreshToken: string;
    };
    secrets.push(third.token, third.refreshToken);
    await call('wrongCurrent', '/user/password', {
      method: 'PUT',
      token: third.token,
      body: JSON.stringify({ currentPassword: WRONG, newPassword: NEW_PASSWORD }),
    });
    await call('password', '/user/password', {
      method: 'PUT',
      token: third.token,
      body: JSON.stringify({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
    });
    await call('logout', '/logout?scope=global', { method: 'POST', token: third.token });
    for (let i = 0; i < 3; i++) {
      await call(`fail${i}`, '/login', { method: 'POST', body: body('ghost', `${WRONG}-${i}`) });
    }
    await call('throttled', '/login', { method: 'POST', body: body('ghost', WRONG) });

    await server.stop();
    lines = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  });

  it('should write one JSON request line per request, each with the request id it answered with', () => {
    const requestLines = lines.filter((line) => line.msg === 'request completed');
    expect(requestLines.length).toBeGreaterThanOrEqual(requestIds.size);
    for (const id of requestIds.values()) {
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(requestLines.some((line) => line.req?.id === id)).toBe(true);
    }
  });

  it.each([
    ['login.succeeded', 'login'],
    ['login.failed', 'failed'],
    ['token.refreshed', 'refresh'],
    ['token.replayed', 'replay'],
    ['password.check_failed', 'wrongCurrent'],
    ['password.changed', 'password'],
    ['session.ended', 'logout'],
    ['login.throttled', 'throttled'],
  ])('should log %s as its own line, bound to its request', (event, label) => {
    const line = lines.find(
      (candidate) => candidate.event === event && candidate.req?.id === requestIds.get(label),
    );
    expect(line).toBeDefined();
  });

  it('should never log a password, a token, a refresh token, a hash or a credential header', () => {
    const text = server.output();
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/\$argon2id\$/);
    expect(text).not.toMatch(/Bearer /i);
    expect(text).not.toMatch(/refresh_token=/);
  });
});
