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
  /** The stored rows of the account an admin disabled, and of the admin whose disable was refused. */
  let disabledRows: { event: string; ip: string | null; details: Record<string, unknown> }[];
  let refusedRows: { event: string }[];
  let refusedStatus: number;

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

    // An admin disables an account (one event), and is refused disabling themself, the last admin.
    const adminId = (
      JSON.parse(Buffer.from(third.token.split('.')[1], 'base64url').toString()) as { sub: string }
    ).sub;
    const created = await call('create', '/admin/users', {
      method: 'POST',
      token: third.token,
      body: body('pat', PASSWORD),
    });
    const patId = ((await created.json()) as { id: number }).id;
    await call('disable', `/admin/users/${patId}`, {
      method: 'PATCH',
      token: third.token,
      body: JSON.stringify({ disabled: true }),
    });
    const refused = await call('refused', `/admin/users/${adminId}`, {
      method: 'PATCH',
      token: third.token,
      body: JSON.stringify({ disabled: true }),
    });
    refusedStatus = refused.status;
    const stored = async (user: string) =>
      (
        (await (await call('read', `/admin/audit?user=${user}`, { token: third.token })).json()) as {
          items: { event: string; ip: string | null; requestId: string; details: Record<string, unknown> }[];
        }
      ).items;
    disabledRows = (await stored(String(patId))).filter((row) => row.requestId === requestIds.get('disable'));
    refusedRows = (await stored(adminId)).filter((row) => row.requestId === requestIds.get('refused'));
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

  it('should record one event for an admin disabling an account, with the address, logged and stored', () => {
    const events = lines.filter(
      (line) => line.event !== undefined && line.req?.id === requestIds.get('disable'),
    );
    expect(events).toEqual([
      expect.objectContaining({ event: 'admin.user.updated', disabled: true, ip: expect.any(String) }),
    ]);
    expect(disabledRows).toEqual([
      expect.objectContaining({
        event: 'admin.user.updated',
        ip: expect.any(String),
        details: { disabled: true, sessions: 0 },
      }),
    ]);
  });

  it('should leave neither a line nor a row for a refused change (the last admin)', () => {
    expect(refusedStatus).toBe(409);
    expect(
      lines.filter((line) => line.event !== undefined && line.req?.id === requestIds.get('refused')),
    ).toEqual([]);
    expect(refusedRows).toEqual([]);
  });

  it("should give every event caused by a request that request's address", () => {
    const events = lines.filter((line) => line.event !== undefined && line.req?.id !== undefined);
    expect(events.length).toBeGreaterThan(10);
    for (const line of events) {
      expect({ event: line.event, ip: line.ip }).toEqual({ event: line.event, ip: '127.0.0.1' });
    }
  });
});
