import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import Database from 'better-sqlite3';
import request from 'supertest';
import { INVALID_CREDENTIALS_BODY } from '../support/expected.js';
import { serviceEnv, startServer, type RunningServer } from '../support/server-process.js';
import { Secret } from 'otpauth';
import { codeForStep, stepAt } from '../../src/mfa/totp.js';
import { postLogin, tokenFor } from '../support/session-client.js';

// The operators' CLI (`npm run users -- ...`), run built (dist/cli/users.cli.js) in its own
// process with a clean environment, as an operator runs it next to the service.
jest.setTimeout(60_000);

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'users.cli.js');

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const workdir = () => mkdtempSync(join(tmpdir(), 'nest-jwt-auth-cli-'));
const dataEnv = (cwd: string) => ({ DATA_DIR: join(cwd, 'data') });

/** Runs the CLI in `cwd` (its database under cwd/data), with `stdin` piped in and closed. */
async function users(
  cwd: string,
  args: string[],
  { stdin = '', env = {} }: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: serviceEnv({ ...dataEnv(cwd), ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A command that fails before reading stdin closes it: that is not the test's failure.
  child.stdin.on('error', () => undefined);
  child.stdin.end(stdin);
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Expects the CLI to have failed with `code` and exactly one line on stderr, nothing on stdout. */
function expectFailure(result: CliResult, code: number, line: string): void {
  expect(result).toEqual({ code, stdout: '', stderr: `error: ${line}\n` });
}

/** Expects a usage error: exit 1, the reason on the first line of stderr, then the usage text. */
function expectUsageError(result: CliResult, reason: string | RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  const [first, ...rest] = result.stderr.split('\n');
  expect(first).toMatch(typeof reason === 'string' ? `error: ${reason}` : reason);
  expect(rest.join('\n')).toContain('Usage: npm run users -- <command> [options]');
}

const getUserStatus = async (url: string, token: string) =>
  (await fetch(`${url}/user`, { headers: { Authorization: `Bearer ${token}` } })).status;

/**
 * GET /user's status once it is `expected`, or the last one after 5 s: what the CLI changes
 * reaches the running service within a poll (REVOCATION_POLL_INTERVAL, USER_CACHE_TTL).
 */
async function eventualStatus(url: string, token: string, expected: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  let status = await getUserStatus(url, token);
  while (status !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    status = await getUserStatus(url, token);
  }
  return status;
}

beforeAll(() => {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  }
});

describe('users CLI', () => {
  const cwd = workdir();

  describe('add', () => {
    it('should create a user from the first line of stdin, and no demo admin beside it', async () => {
      expect(
        await users(cwd, ['add', 'bob', '--password-stdin'], { stdin: 'bob password\r\nnot this' }),
      ).toEqual({ code: 0, stdout: 'added "bob" (id 1)\n', stderr: '' });
      const { code, stdout } = await users(cwd, ['list']);
      expect(code).toBe(0);
      expect(stdout.trim().split('\n')).toHaveLength(2);
      expect(stdout).not.toContain('admin');
    });

    it.each(['BOB', 'bob', 'Bob'])(
      'should refuse %p as taken (names compare case-insensitively)',
      async (name) =>
        expectFailure(
          await users(cwd, ['add', name, '--password-stdin'], { stdin: 'another password\n' }),
          3,
          `name "${name}" is already taken`,
        ),
    );

    it.each(['b0b', 'B0B', 'bób'])('should refuse %p as a look-alike of "bob"', async (name) =>
      expectFailure(
        await users(cwd, ['add', name, '--password-stdin'], { stdin: 'another password\n' }),
        3,
        `name "${name}" looks too much like a taken name`,
      ),
    );

    it.each([
      ['an empty line', '', 'password must be at least 8 characters'],
      ['7 characters', 'seven77', 'password must be at least 8 characters'],
      ['513 characters of 2 bytes', 'é'.repeat(513), 'password must be at most 1024 bytes'],
    ])('should refuse a password of %s', async (_label, password, rule) => {
      expectFailure(
        await users(cwd, ['add', 'carol', '--password-stdin'], { stdin: `${password}\n` }),
        4,
        rule,
      );
      expect((await users(cwd, ['list'])).stdout).not.toContain('carol');
    });

    it.each([
      ['', 'name must not be empty'],
      [' carol', 'name must start with a letter or digit, and not end with a space or hold two in a row'],
      [
        'car\tol',
        'name may hold only letters, digits, ".", "_", "-" and spaces (no control, invisible or format characters, symbols or emoji)',
      ],
      [
        'admin\u200b',
        'name may hold only letters, digits, ".", "_", "-" and spaces (no control, invisible or format characters, symbols or emoji)',
      ],
      ['c'.repeat(65), 'name must be at most 64 characters'],
    ])('should refuse the name %p with the sign-up rule', async (name, rule) =>
      expectFailure(
        await users(cwd, ['add', '--password-stdin', '--', name], { stdin: 'good password\n' }),
        4,
        rule,
      ),
    );

    it('should refuse to run without a terminal or --password-stdin', async () =>
      expectUsageError(
        await users(cwd, ['add', 'carol'], { stdin: 'good password\n' }),
        'stdin is not a terminal to ask for the password on: send it with --password-stdin',
      ));
  });

  describe('list', () => {
    it('should print a table of id, name, state and creation time', async () => {
      await users(cwd, ['add', 'Zoë', '--password-stdin'], { stdin: 'zoë password\n' });
      await users(cwd, ['disable', 'zoë']);
      const { code, stdout, stderr } = await users(cwd, ['list']);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const time = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`;
      expect(stdout.split('\n')).toEqual([
        expect.stringMatching(/^ID {2}NAME {2}STATE {5}CREATED$/),
        expect.stringMatching(new RegExp(`^ 1 {2}bob {3}enabled {3}${time}$`)),
        expect.stringMatching(new RegExp(`^ 2 {2}Zoë {3}disabled {2}${time}$`)),
        '',
      ]);
    });
  });

  describe('email', () => {
    const emailOf = (name: string) => {
      const db = new Database(join(cwd, 'data', 'auth.sqlite'), { readonly: true });
      try {
        return db.prepare('SELECT email, email_key, email_verified_at FROM users WHERE name = ?').get(name);
      } finally {
        db.close();
      }
    };

    it('should set an address, unverified', async () => {
      expect(await users(cwd, ['email', 'bob', 'Bob@Example.com'])).toEqual({
        code: 0,
        stdout: 'set the mail address of "bob" (not verified yet)\n',
        stderr: '',
      });
      expect(emailOf('bob')).toEqual({ email: 'Bob@Example.com', email_key: null, email_verified_at: null });
    });

    it('should create a user with --email', async () => {
      const result = await users(cwd, ['add', 'dora', '--email', 'dora@example.com', '--password-stdin'], {
        stdin: 'dora password\n',
      });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(emailOf('dora')).toMatchObject({ email: 'dora@example.com' });
    });

    it('should invite a user with --email ADDR --invite: no password asked, an invite queued for ADDR', async () => {
      // stdin is no terminal and no --password-stdin: nothing is read.
      const result = await users(cwd, ['add', 'gina', '--email', 'gina@example.com', '--invite']);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(
        /^invited "gina" \(id \d+\): a link to choose a password was mailed to the address\n$/,
      );
      expect(emailOf('gina')).toEqual({
        email: 'gina@example.com',
        email_key: null,
        email_verified_at: null,
      });
      const db = new Database(join(cwd, 'data', 'auth.sqlite'), { readonly: true });
      try {
        expect(
          db
            .prepare("SELECT recipient, subject, text FROM mail_outbox WHERE recipient = 'gina@example.com'")
            .all(),
        ).toEqual([
          {
            recipient: 'gina@example.com',
            subject: 'You are invited: choose your password',
            text: expect.stringMatching(/\/reset-password#token=[A-Za-z0-9_-]{43}/),
          },
        ]);
        expect(db.prepare("SELECT purpose FROM link_tokens WHERE purpose = 'invite'").all()).toHaveLength(1);
      } finally {
        db.close();
      }
    });

    it.each([
      ['bob@example.com\r\nBcc: x@example.com', 'ADDR must not contain line breaks or control characters'],
      [
        'Bob <bob@example.com>',
        'ADDR must be one address such as name@example.com (no display name, no list)',
      ],
    ])('should refuse %p with exit code 4 and change nothing', async (address, rule) => {
      expectFailure(await users(cwd, ['email', 'bob', address]), 4, rule);
      expect(emailOf('bob')).toMatchObject({ email: 'Bob@Example.com' });
    });
  });

  describe.each(['passwd', 'disable', 'enable', 'logout'])('%s', (command) => {
    it('should answer 2 for an unknown user', async () =>
      expectFailure(
        await users(cwd, [command, 'nobody', ...(command === 'passwd' ? ['--password-stdin'] : [])], {
          stdin: 'good password\n',
        }),
        2,
        'no user named "nobody"',
      ));
  });

  describe('usage', () => {
    it.each([
      [[], 'missing command'],
      [['frobnicate'], 'unknown command "frobnicate"'],
      [['add'], 'add needs a NAME'],
      [['passwd', '--password-stdin'], 'passwd needs a NAME'],
      [['disable'], 'disable needs a NAME'],
      [['enable'], 'enable needs a NAME'],
      [['logout'], 'logout needs a NAME'],
      [['disable', 'bob', 'carol'], 'disable takes only a NAME'],
      [['list', 'bob'], 'list takes no arguments'],
      [['list', '--password-stdin'], '--password-stdin is only for add and passwd'],
      [['list', '--verbose'], 'unknown option "--verbose"'],
      [['add', 'carol', '--invite'], '--invite is only for add, with --email ADDR'],
      [['email', 'bob', 'bob@example.com', '--invite'], '--invite is only for add, with --email ADDR'],
      [
        ['add', 'carol', '--email', 'carol@example.com', '--invite', '--password-stdin'],
        '--invite takes no password: leave out --password-stdin',
      ],
    ])('should refuse %p with exit code 1 and the usage', async (args, reason) =>
      expectUsageError(await users(cwd, args), reason),
    );

    it.each([
      [['add', 'carol', 'hunter2!']],
      [['passwd', 'bob', 'hunter2!']],
      [['add', 'carol', '--password-stdin', 'hunter2!']],
      [['passwd', 'bob', '--password=hunter2!']],
    ])('should refuse a password in the arguments %p without echoing it', async (args) => {
      const result = await users(cwd, args, { stdin: 'good password\n' });
      expectUsageError(result, /^error: (add|passwd) takes only a NAME|^error: unknown option "--password"/);
      expect(result.stderr).not.toContain('hunter2');
      expect((await users(cwd, ['list'])).stdout).not.toContain('carol');
    });

    it.each([['--help'], ['-h'], ['help']])('should print the usage on stdout for %p', async (arg) => {
      const { code, stdout, stderr } = await users(cwd, [arg]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toMatch(/^Usage: npm run users -- <command> \[options\]\n/);
      expect(stdout).toContain('Exit codes:');
    });
  });

  describe('environment', () => {
    it('should refuse a bad environment in one line, with exit code 5', async () => {
      const result = await users(cwd, ['list'], { env: { PORT: 'abc' } });
      expectFailure(result, 5, 'Invalid environment: PORT must be a port number');
    });

    it('should report a database it cannot open in one line, with exit code 5', async () => {
      const file = join(workdir(), 'a-file');
      writeFileSync(file, '');
      const result = await users(cwd, ['list'], { env: { DATA_DIR: file } });
      expect(result.code).toBe(5);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^error: [^\n]*a-file[^\n]*\n$/);
    });
  });
});

describe('users CLI beside the running service', () => {
  const cwd = workdir();
  let server: RunningServer;

  beforeAll(async () => {
    // The user exists before the service starts, so it seeds no demo admin either.
    const added = await users(cwd, ['add', 'alice', '--password-stdin'], { stdin: 'alice password 1\r\n' });
    expect(added.code).toBe(0);
    // The service learns of sessions ended by another process by polling, and of a user enabled
    // again when its cached "disabled" expires: one second each here.
    // MFA_FAILURE_LIMIT 1: one wrong code locks the codes, which `mfa reset` must clear.
    server = await startServer(
      { ...dataEnv(cwd), REVOCATION_POLL_INTERVAL: '1', USER_CACHE_TTL: '1', MFA_FAILURE_LIMIT: '1' },
      cwd,
    );
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('should have stripped the \\r\\n ending from the password read from stdin', async () => {
    await tokenFor(server.url, 'alice', 'alice password 1');
  });

  it('should disable a user: login answers 400 and earlier tokens 401, until enabled again', async () => {
    const token = await tokenFor(server.url, 'alice', 'alice password 1');
    expect(await users(cwd, ['disable', 'alice'])).toEqual({
      code: 0,
      stdout: 'disabled "alice" and ended 2 sessions\n',
      stderr: '',
    });
    const refused = await postLogin(server.url, 'alice', 'alice password 1');
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual(INVALID_CREDENTIALS_BODY);
    expect(await eventualStatus(server.url, token, 401)).toBe(401);

    expect(await users(cwd, ['enable', 'ALICE'])).toEqual({
      code: 0,
      stdout: 'enabled "alice"\n',
      stderr: '',
    });
    const fresh = await tokenFor(server.url, 'alice', 'alice password 1');
    expect(await eventualStatus(server.url, fresh, 200)).toBe(200);
    // The sessions that disabling ended stay ended.
    expect(await getUserStatus(server.url, token)).toBe(401);
  });

  const postJson = (url: string, path: string, body: object, token?: string) => {
    const pending = request(url).post(path);
    return (token === undefined ? pending : pending.set('Authorization', `Bearer ${token}`)).send(body);
  };

  it("should turn off a user's second factor (and with it a lock of its codes) on mfa reset and end their sessions", async () => {
    const token = await tokenFor(server.url, 'alice', 'alice password 1');
    const call = (path: string, body?: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const started = await call('/user/mfa/totp', { currentPassword: 'alice password 1' });
    const { secret } = (await started.json()) as { secret: string };
    const code = codeForStep(Buffer.from(Secret.fromBase32(secret).bytes), stepAt(Date.now()));
    expect((await call('/user/mfa/totp/confirm', { code })).status).toBe(200);
    const challenged = (await postLogin(server.url, 'alice', 'alice password 1')).body as {
      mfaToken: string;
    };
    expect(challenged).toMatchObject({ mfaRequired: true });
    // One wrong code: the codes are locked (MFA_FAILURE_LIMIT 1).
    const wrong = code === '000000' ? '111111' : '000000';
    await postJson(server.url, '/login/mfa', { mfaToken: challenged.mfaToken, code: wrong }).expect(400);
    const locked = (await postLogin(server.url, 'alice', 'alice password 1')).body as object;
    expect(locked).toMatchObject({ mfaRequired: true, methods: ['recovery'] });

    expect(await users(cwd, ['mfa', 'reset', 'alice'])).toEqual({
      code: 0,
      stdout: 'turned off two-factor authentication of "alice" and ended 1 session\n',
      stderr: '',
    });
    expect(await eventualStatus(server.url, token, 401)).toBe(401);
    const fresh = await tokenFor(server.url, 'alice', 'alice password 1');
    // Set up again, the lock is gone with the reset: codes are offered and taken.
    const again = (await (
      await fetch(`${server.url}/user/mfa/totp`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${fresh}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ currentPassword: 'alice password 1' }),
      })
    ).json()) as { secret: string };
    const newSecret = Buffer.from(Secret.fromBase32(again.secret).bytes);
    await postJson(
      server.url,
      '/user/mfa/totp/confirm',
      { code: codeForStep(newSecret, stepAt(Date.now())) },
      fresh,
    ).expect(200);
    const unlocked = (await postLogin(server.url, 'alice', 'alice password 1')).body as { mfaToken: string };
    expect(unlocked).toMatchObject({ mfaRequired: true, methods: ['totp', 'recovery'] });
    await postJson(server.url, '/login/mfa', {
      mfaToken: unlocked.mfaToken,
      code: codeForStep(newSecret, stepAt(Date.now()) + 1),
    }).expect(200);
    expect((await users(cwd, ['mfa', 'reset', 'alice'])).code).toBe(0);
    expect((await users(cwd, ['mfa', 'reset', 'nobody'])).code).toBe(2);
    expect((await users(cwd, ['mfa', 'alice'])).code).toBe(1);
  });

  it('should end all sessions of a user on logout: earlier access tokens get 401 within seconds', async () => {
    expect((await users(cwd, ['logout', 'alice'])).code).toBe(0);
    const first = await tokenFor(server.url, 'alice', 'alice password 1');
    const second = await tokenFor(server.url, 'alice', 'alice password 1');
    expect(await getUserStatus(server.url, first)).toBe(200);

    expect(await users(cwd, ['logout', 'alice'])).toEqual({
      code: 0,
      stdout: 'ended 2 sessions of "alice"\n',
      stderr: '',
    });
    expect(await eventualStatus(server.url, first, 401)).toBe(401);
    expect(await getUserStatus(server.url, second)).toBe(401);
    // Logging out is not disabling: a new login works.
    await tokenFor(server.url, 'alice', 'alice password 1');
  });

  it('should set a password: the old one is refused, the new one works, earlier sessions end', async () => {
    await users(cwd, ['logout', 'alice']);
    const token = await tokenFor(server.url, 'alice', 'alice password 1');
    expect(
      await users(cwd, ['passwd', 'alice', '--password-stdin'], { stdin: 'alice password 2\n' }),
    ).toEqual({
      code: 0,
      stdout: 'changed the password of "alice" and ended 1 session\n',
      stderr: '',
    });
    expect((await postLogin(server.url, 'alice', 'alice password 1')).status).toBe(400);
    await tokenFor(server.url, 'alice', 'alice password 2');
    expect(await eventualStatus(server.url, token, 401)).toBe(401);
  });

  it('should refuse a weak new password and keep the old one', async () => {
    expectFailure(
      await users(cwd, ['passwd', 'alice', '--password-stdin'], { stdin: 'short\n' }),
      4,
      'password must be at least 8 characters',
    );
    await tokenFor(server.url, 'alice', 'alice password 2');
  });

  describe('hidden prompt (under a pseudo-terminal)', () => {
    /**
     * Runs the CLI under `script`, which gives it a pseudo-terminal for stdin, stdout and stderr;
     * `answer(prompt, keys)` waits for a prompt, then types.
     */
    function onTerminal(args: string[]) {
      const command = [process.execPath, CLI, ...args].map((arg) => `'${arg}'`).join(' ');
      const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
        cwd,
        env: serviceEnv(dataEnv(cwd)),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      // Everything the terminal showed, and what it showed since the last prompt answered.
      let transcript = '';
      let output = '';
      const onData = (chunk: Buffer) => {
        transcript += chunk.toString();
        output += chunk.toString();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      const exited = once(child, 'exit') as Promise<[number | null]>;
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      return {
        output: () => output,
        transcript: () => transcript,
        async answer(prompt: string, keys: string): Promise<void> {
          const deadline = Date.now() + 10_000;
          while (!output.includes(prompt)) {
            if (Date.now() > deadline) {
              throw new Error(`no ${JSON.stringify(prompt)} within 10 s:\n${output}`);
            }
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          output = output.slice(output.indexOf(prompt) + prompt.length);
          child.stdin.write(keys);
        },
        async exit(): Promise<number | null> {
          const [code] = await exited;
          clearTimeout(timer);
          child.stdin.end();
          return code;
        },
      };
    }

    it('should ask twice without echoing, and create the user', async () => {
      const terminal = onTerminal(['add', 'carol']);
      // A typo fixed with Backspace, as typed.
      await terminal.answer('Password for "carol": ', 'carol secreX\u007ft\r');
      await terminal.answer('Repeat it: ', 'carol secret\r');
      expect(await terminal.exit()).toBe(0);
      expect(terminal.output()).toBe('\r\nadded "carol" (id 2)\r\n');
      expect(terminal.transcript()).not.toContain('secre');
      await tokenFor(server.url, 'carol', 'carol secret');
    });

    it('should refuse two different passwords with exit code 4', async () => {
      const terminal = onTerminal(['passwd', 'carol']);
      await terminal.answer('Password for "carol": ', 'carol secret 2\r');
      await terminal.answer('Repeat it: ', 'carol secret 3\r');
      expect(await terminal.exit()).toBe(4);
      expect(terminal.output()).toContain('error: the two passwords do not match');
      await tokenFor(server.url, 'carol', 'carol secret');
    });

    it('should stop on Ctrl-C and change nothing', async () => {
      const terminal = onTerminal(['passwd', 'carol']);
      await terminal.answer('Password for "carol": ', 'carol sec\u0003');
      expect(await terminal.exit()).toBe(130);
      expect(terminal.output()).toContain('error: interrupted');
      await tokenFor(server.url, 'carol', 'carol secret');
    });
  });

  it('should let an account named before the name policy log in, list it escaped, and rename it', async () => {
    expect(
      (await users(cwd, ['add', 'mallory', '--password-stdin'], { stdin: 'mallory password\n' })).code,
    ).toBe(0);
    // What an older release let sign up: a zero-width space after the name.
    const legacy = 'mallory\u200b';
    const db = new Database(join(cwd, 'data', 'auth.sqlite'));
    db.prepare('UPDATE users SET name = ?, name_key = ?, name_skeleton = NULL WHERE name_key = ?').run(
      legacy,
      legacy,
      'mallory',
    );
    db.close();

    const token = await tokenFor(server.url, legacy, 'mallory password');
    expect((await users(cwd, ['list'])).stdout).toMatch(
      / {2}"mallory\\u200b" \(breaks the name policy\) {2}enabled/,
    );
    expectFailure(await users(cwd, ['rename', legacy, 'alice']), 3, 'name "alice" is already taken');
    expectFailure(
      await users(cwd, ['rename', legacy, 'mal\u202elory']),
      4,
      'name may hold only letters, digits, ".", "_", "-" and spaces (no control, invisible or format characters, symbols or emoji)',
    );
    expect(await users(cwd, ['rename', legacy, 'mallory'])).toEqual({
      code: 0,
      stdout: 'renamed "mallory\\u200b" to "mallory"\n',
      stderr: '',
    });
    // The session goes on under the new name; the old one no longer logs in.
    await tokenFor(server.url, 'mallory', 'mallory password');
    expect((await postLogin(server.url, legacy, 'mallory password')).status).toBe(400);
    const deadline = Date.now() + 5_000;
    let shownName = '';
    while (shownName !== 'mallory' && Date.now() < deadline) {
      const response = await fetch(`${server.url}/user`, { headers: { Authorization: `Bearer ${token}` } });
      shownName = ((await response.json()) as { name: string }).name;
    }
    expect(shownName).toBe('mallory');
  });
});

describe('users CLI: roles', () => {
  const cwd = workdir();
  const add = (name: string, ...options: string[]) =>
    users(cwd, ['add', name, '--password-stdin', ...options], { stdin: `${name} password\n` });

  it('should add a user as a user, and as an admin with --role admin (or --role=admin)', async () => {
    expect(await add('root', '--role', 'admin')).toEqual({
      code: 0,
      stdout: 'added "root" (id 1) as an admin\n',
      stderr: '',
    });
    expect((await add('ann')).stdout).toBe('added "ann" (id 2)\n');
    expect((await add('ben', '--role=admin')).stdout).toBe('added "ben" (id 3) as an admin\n');
    const db = new Database(join(cwd, 'data', 'auth.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT name, roles FROM users ORDER BY id').all();
    db.close();
    expect(rows).toEqual([
      { name: 'root', roles: 'admin' },
      { name: 'ann', roles: 'user' },
      { name: 'ben', roles: 'admin' },
    ]);
  });

  it('should promote and demote with role NAME admin|user', async () => {
    expect(await users(cwd, ['role', 'ann', 'admin'])).toEqual({
      code: 0,
      stdout: 'gave "ann" the role admin\n',
      stderr: '',
    });
    expect((await users(cwd, ['role', 'ann', 'admin'])).stdout).toBe('"ann" already had the role admin\n');
    expect((await users(cwd, ['role', 'ann', 'user'])).stdout).toBe('gave "ann" the role user\n');
    expect((await users(cwd, ['role', 'ben', 'user'])).stdout).toBe('gave "ben" the role user\n');
  });

  it('should refuse to demote or disable the last enabled admin with exit code 6', async () => {
    const refused =
      'the last enabled admin cannot be demoted, disabled or deleted: make another user an admin first';
    expectFailure(await users(cwd, ['role', 'root', 'user']), 6, refused);
    expectFailure(await users(cwd, ['disable', 'root']), 6, refused);
    expect((await users(cwd, ['disable', 'ann'])).code).toBe(0);
  });

  it.each([
    [['role', 'ann'], 'role needs a NAME and a ROLE (admin or user)'],
    [['role', 'ann', 'root'], 'ROLE must be one of admin, user'],
    [['add', 'cat', '--role', 'root'], '--role must be one of admin, user'],
    [['add', 'cat', '--role'], '--role must be one of admin, user'],
    [['disable', 'ann', '--role', 'admin'], '--role is only for add (use: role NAME admin|user)'],
  ])('should refuse %p with exit code 1 and the usage', async (args, reason) =>
    expectUsageError(await users(cwd, args), reason),
  );

  it('should answer 2 for an unknown user', async () =>
    expectFailure(await users(cwd, ['role', 'nobody', 'admin']), 2, 'no user named "nobody"'));

  it('should store what it did in the audit trail, as actor "cli"', () => {
    const db = new Database(join(cwd, 'data', 'auth.sqlite'), { readonly: true });
    const rows = db
      .prepare(
        "SELECT event, actor, user_id AS userId FROM audit_events WHERE event LIKE 'admin.%' ORDER BY id",
      )
      .all();
    db.close();
    expect(rows).toEqual([
      { event: 'admin.user.created', actor: 'cli', userId: 1 },
      { event: 'admin.user.created', actor: 'cli', userId: 2 },
      { event: 'admin.user.created', actor: 'cli', userId: 3 },
      { event: 'admin.user.updated', actor: 'cli', userId: 2 },
      { event: 'admin.user.updated', actor: 'cli', userId: 2 },
      { event: 'admin.user.updated', actor: 'cli', userId: 2 },
      { event: 'admin.user.updated', actor: 'cli', userId: 3 },
    ]);
  });
});
