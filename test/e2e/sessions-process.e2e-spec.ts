import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { startServer, type RunningServer } from '../support/server-process.js';
import { login } from '../support/session-client.js';

// Session lifetimes and persistence, on the built service in its own process: short TTLs come
// through the environment, and restarts are real restarts on the same database file.
jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Pair {
  token: string;
  refreshToken: string;
}

const post = (url: string, path: string, body: unknown, token?: string) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

const loginAsAdmin = (url: string): Promise<Pair> => login(url, 'admin', '1234');

async function refresh(url: string, refreshToken: string): Promise<Response> {
  return post(url, '/refresh', { refreshToken });
}

const userStatus = async (url: string, token: string) =>
  (await fetch(`${url}/user`, { headers: { Authorization: `Bearer ${token}` } })).status;

describe('Session lifetimes', () => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('should end a session after SESSION_IDLE_TTL without use, and keep a used one alive', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-idle-'));
    server = await startServer({ SESSION_IDLE_TTL: '3', SESSION_MAX_TTL: '60', ACCESS_TOKEN_TTL: '3' }, cwd);
    const idle = await loginAsAdmin(server.url);
    let used = await loginAsAdmin(server.url);
    for (let i = 0; i < 3; i++) {
      await sleep(1500);
      const response = await refresh(server.url, used.refreshToken);
      expect(response.status).toBe(200);
      used = (await response.json()) as Pair;
    }
    // 4.5 s without use: past the 3 s idle limit.
    expect((await refresh(server.url, idle.refreshToken)).status).toBe(401);
    expect((await refresh(server.url, used.refreshToken)).status).toBe(200);
  });

  it('should end a session SESSION_MAX_TTL after login however much it is used, and cap the access token', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-max-'));
    server = await startServer({ SESSION_IDLE_TTL: '3', SESSION_MAX_TTL: '3', ACCESS_TOKEN_TTL: '3' }, cwd);
    let pair = await loginAsAdmin(server.url);
    await sleep(1500);
    let response = await refresh(server.url, pair.refreshToken);
    expect(response.status).toBe(200);
    const renewed = (await response.json()) as Pair & { expiresIn: number };
    // 1.5 s into a 3 s session: the new access token may not outlive it.
    expect(renewed.expiresIn).toBeLessThanOrEqual(2);
    pair = renewed;
    await sleep(1800);
    response = await refresh(server.url, pair.refreshToken);
    expect(response.status).toBe(401);
  });

  it('should let access tokens expire after ACCESS_TOKEN_TTL while the session renews them', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-access-'));
    // exp is in whole seconds, so a token lives between TTL - 1 and TTL seconds: a TTL of 1 could
    // already be over when the login's answer arrives (CI saw exactly that). With 2 it lives at
    // least 1 s, and 3.1 s later it is over whatever the second it was issued in.
    server = await startServer({ ACCESS_TOKEN_TTL: '2', JWT_CLOCK_TOLERANCE: '0' }, cwd);
    const pair = await loginAsAdmin(server.url);
    expect(await userStatus(server.url, pair.token)).toBe(200);
    await sleep(3100);
    const expired = await fetch(`${server.url}/user`, { headers: { Authorization: `Bearer ${pair.token}` } });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('expired');
    const renewed = (await (await refresh(server.url, pair.refreshToken)).json()) as Pair;
    expect(await userStatus(server.url, renewed.token)).toBe(200);
  });
});

describe('Restarts', () => {
  it('should keep sessions, spent tokens and revocations', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-restart-'));
    const env = { REFRESH_REUSE_GRACE: '0' };
    let server = await startServer(env, cwd);
    const kept = await loginAsAdmin(server.url);
    const loggedOut = await loginAsAdmin(server.url);
    const rotated = await loginAsAdmin(server.url);
    const next = (await (await refresh(server.url, rotated.refreshToken)).json()) as Pair;
    expect((await post(server.url, '/logout', {}, loggedOut.token)).status).toBe(204);
    expect(await server.stop()).toBe(0);

    server = await startServer(env, cwd);
    try {
      // The live session survives: its access token and its refresh token still work.
      expect(await userStatus(server.url, kept.token)).toBe(200);
      expect((await refresh(server.url, kept.refreshToken)).status).toBe(200);
      // The ended session stays ended, for its access token too (loaded from the database).
      expect(await userStatus(server.url, loggedOut.token)).toBe(401);
      expect((await refresh(server.url, loggedOut.refreshToken)).status).toBe(401);
      // A token spent before the restart is still spent: presenting it is a replay.
      expect((await refresh(server.url, rotated.refreshToken)).status).toBe(401);
      expect(await userStatus(server.url, next.token)).toBe(401);
    } finally {
      await server.stop();
    }
  });
});
