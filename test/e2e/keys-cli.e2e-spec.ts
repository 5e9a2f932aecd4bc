import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { keysCli, kidOf } from '../support/keys-cli.js';
import { startServer, type RunningServer } from '../support/server-process.js';
import { login } from '../support/session-client.js';

// The operators' key commands (`npm run keys -- ...`), run built (dist/cli/keys.cli.js) in their
// own process next to a running service on the same data directory, without Redis: what they
// change reaches the service within REVOCATION_POLL_INTERVAL (1 s here).
jest.setTimeout(60_000);

const KID = /^[\w-]{43}$/;
const keys = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  keysCli(cwd, args, { DATA_DIR: join(cwd, 'data'), ...env });

/** `keys list` as rows: kid, algorithm, state. */
const listed = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s+/).slice(0, 3));

const status = async (url: string, token: string) =>
  (await fetch(`${url}/user`, { headers: { Authorization: `Bearer ${token}` } })).status;

/** Polls until GET /user answers `expected`; resolves with how long that took (ms), or -1 after 5 s. */
async function timeUntil(url: string, token: string, expected: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 5_000) {
    if ((await status(url, token)) === expected) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return -1;
}

describe('npm run keys', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-keys-'));
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ DATA_DIR: join(cwd, 'data'), REVOCATION_POLL_INTERVAL: '1' }, cwd);
  });

  afterAll(() => server?.stop());

  it('should list the key the service made on first start: ES256, active', async () => {
    const result = await keys(cwd, ['list']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/^KID +ALG +STATE +CREATED +ACTIVATED +REVOKED$/);
    const rows = listed(result.stdout);
    expect(rows).toEqual([[expect.stringMatching(KID), 'ES256', 'active']]);
    // Never a private key, in any output.
    expect(result.stdout + result.stderr).not.toMatch(/PRIVATE|"d":/);
  });

  it('should rotate: a next key the running service publishes, then (--now) signs with', async () => {
    const before = await login(server.url, 'admin', '1234');
    const rotated = await keys(cwd, ['rotate']);
    expect(rotated.code).toBe(0);
    const [, nextKid] =
      /^created (\S+), published in the JWKS, signing from \S+Z$/.exec(rotated.stdout.trim()) ?? [];
    expect(nextKid).toMatch(KID);
    expect(listed((await keys(cwd, ['list'])).stdout).map((row) => row[2])).toEqual(['active', 'next']);

    const now = await keys(cwd, ['rotate', '--now']);
    expect(now.stdout.trim()).toBe(`next key ${nextKid}, published in the JWKS, signing now`);
    // The service reads the keys again within a poll, or at once when a token names a kid it does not know.
    const deadline = Date.now() + 3_000;
    let kid = kidOf(before.token);
    while (kid !== nextKid && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      kid = kidOf((await login(server.url, 'admin', '1234')).token);
    }
    expect(kid).toBe(nextKid);
    expect(await status(server.url, before.token)).toBe(200);
    expect(listed((await keys(cwd, ['list'])).stdout).map((row) => row[2])).toEqual(['retiring', 'active']);
  });

  it('should revoke: the running service refuses the key’s tokens within a poll, sessions go on', async () => {
    const pair = await login(server.url, 'admin', '1234');
    const kid = kidOf(pair.token);
    expect(await status(server.url, pair.token)).toBe(200);
    const result = await keys(cwd, ['revoke', kid]);
    expect(result.code).toBe(0);
    const [, successor] =
      new RegExp(`^revoked ${kid}: out of the JWKS, its tokens refused; (\\S+) signs now$`).exec(
        result.stdout.trim(),
      ) ?? [];
    expect(successor).toMatch(KID);
    const ms = await timeUntil(server.url, pair.token, 401);
    console.info(
      `a key revoked by the CLI was refused by the running service after ${ms} ms (poll 1 s, no Redis)`,
    );
    expect(ms).toBeGreaterThanOrEqual(0);
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((key) => key.kid)).not.toContain(kid);
    // The refresh token still works, and its new token is signed by the key that took over.
    const renewed = await fetch(`${server.url}/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: pair.refreshToken }),
    });
    expect(renewed.status).toBe(200);
    const { token } = (await renewed.json()) as { token: string };
    expect(kidOf(token)).toBe(successor);
    expect(await status(server.url, token)).toBe(200);
  });

  it('should answer a revoked or unknown kid plainly', async () => {
    const revoked = listed((await keys(cwd, ['list'])).stdout).find((row) => row[2] === 'revoked')![0];
    expect(await keys(cwd, ['revoke', revoked])).toEqual({
      code: 0,
      stdout: `${revoked} was already revoked\n`,
      stderr: '',
    });
    expect(await keys(cwd, ['revoke', 'no-such-kid'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: no signing key no-such-kid\n',
    });
  });

  it.each([
    [[], 'missing command'],
    [['revoke'], 'revoke needs one KID'],
    [['list', 'extra'], 'list takes no arguments'],
    [['list', '--now'], '--now is only for rotate'],
    [['burn'], 'unknown command "burn"'],
    [['rotate', '--force=yes'], 'unknown option "--force"'],
  ])('should refuse %p with a usage error (exit 1)', async (args, reason) => {
    const result = await keys(cwd, args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(`error: ${reason}`);
    expect(result.stderr).toContain('Usage: npm run keys -- <command> [options]');
  });

  it('should say there is nothing to rotate with HS256 (exit 5)', async () => {
    const result = await keys(cwd, ['rotate'], { JWT_ALGORITHM: 'HS256' });
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^error: JWT_ALGORITHM is HS256: tokens are signed with JWT_SECRET/);
  });

  it('should print its help with exit 0', async () => {
    const result = await keys(cwd, ['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('rotate --now');
  });
});

describe('Automatic rotation (KEY_ROTATION_INTERVAL)', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-rotation-'));
  let server: RunningServer;
  // A key signs for 6 s; its successor is published 2 s (the JWKS max-age) before it takes over;
  // tokens live 4 s, so the old key retires 4 s after the hand-over, then leaves the JWKS.
  const env = {
    DATA_DIR: join(cwd, 'data'),
    KEY_ROTATION_INTERVAL: '6',
    JWKS_MAX_AGE: '2',
    ACCESS_TOKEN_TTL: '4',
    JWT_CLOCK_TOLERANCE: '0',
    REVOCATION_POLL_INTERVAL: '1',
  };

  beforeAll(async () => {
    server = await startServer(env, cwd);
  });

  afterAll(() => server?.stop());

  const published = async () =>
    (
      (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }
    ).keys.map((key) => key.kid);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const states = async () =>
    listed((await keysCli(cwd, ['list'], env)).stdout).map(([kid, , state]): [string, string] => [
      kid,
      state,
    ]);

  it('should publish the next key ahead, hand over without a refusal, then retire the old one', async () => {
    const first = await login(server.url, 'admin', '1234');
    const firstKid = kidOf(first.token);
    expect(await published()).toEqual([firstKid]);
    // Poll every 250 ms for 13 s: every token issued along the way must stay valid while it lives.
    const seen: string[][] = [];
    const refused: string[] = [];
    const started = Date.now();
    while (Date.now() - started < 13_000) {
      const { token } = await login(server.url, 'admin', '1234');
      if ((await status(server.url, token)) !== 200) refused.push(kidOf(token));
      const kids = await published();
      if (JSON.stringify(kids) !== JSON.stringify(seen.at(-1))) seen.push(kids);
      await sleep(250);
    }
    expect(refused).toEqual([]);
    console.info(
      `JWKS over 13 s of automatic rotation: ${seen.map((kids) => kids.length).join(' -> ')} keys`,
    );
    // [first] -> [first, second] (published 2 s ahead) -> ... -> first gone once retired (4 s after
    // the hand-over at 6 s), while the third is published at 10 s.
    expect(seen[0]).toEqual([firstKid]);
    expect(seen[1]).toEqual([firstKid, expect.any(String)]);
    const secondKid = seen[1][1];
    expect(seen.at(-1)).not.toContain(firstKid);
    expect(seen.at(-1)).toContain(secondKid);
    const list = new Map(await states());
    expect(list.get(firstKid)).toBe('expired');
    expect(list.get(secondKid)).toMatch(/^(active|retiring)$/);
  }, 40_000);
});
