import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jest } from '@jest/globals';
import { envSchema } from '../../src/config/env.schema.js';
import { spawnProcess, type ServiceProcess } from '../../scripts/lib/service-process.mjs';
import { createTestDatabase, dropTestDatabase, postgresUnavailable } from '../support/postgres.js';
import { startServer, type RunningServer } from '../support/server-process.js';
import { PRODUCTION_SECRET } from '../support/secrets.js';
import { freshPrefix } from '../support/redis.js';
import { sleep } from '../support/session-client.js';

// Three built instances on one PostgreSQL database behind HAProxy, run with the repository's own
// deploy/haproxy.cfg (the sample in docs/scaling.md). The client knows only the balancer's
// address; which instance answered is read from the instances' request logs (the X-Request-Id the
// client sends is the id of the line). Each part of the test speaks from its own loopback address
// (127.0.0.x), so that throttling, counted per client address from X-Forwarded-For, starts afresh.
jest.setTimeout(120_000);

const CONFIG = resolve(import.meta.dirname, '..', '..', 'deploy', 'haproxy.cfg');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POLL_S = 1;
const RATE_LIMIT = 10;
const INSTANCES = 3;
const ADMIN = { name: 'admin', password: 'lb-test-password' };
const prefix = freshPrefix('load-balancer');

/** The haproxy binary, or undefined: Debian puts it in /usr/sbin, which a user's PATH may lack. */
const haproxy = ['haproxy', '/usr/sbin/haproxy'].find(
  (command) => spawnSync(command, ['-v'], { stdio: 'ignore' }).status === 0,
);

/** Whether this build reads REDIS_URL (shared throttling, revocation fan-out): the schema keeps it. */
const redisSupported = (() => {
  const parsed = envSchema.safeParse({ REDIS_URL });
  return parsed.success && 'REDIS_URL' in parsed.data;
})();

const redisReachable = () =>
  new Promise<boolean>((done) => {
    const url = new URL(REDIS_URL);
    const socket = createConnection(Number(url.port || 6379), url.hostname);
    socket.setTimeout(2_000, () => socket.destroy());
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      done(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('close', () => done(false));
    socket.once('error', () => done(false));
  });

function unavailableReason(): string | undefined {
  const missing = [
    postgresUnavailable(),
    haproxy === undefined ? 'haproxy is not installed (apt-get install haproxy)' : undefined,
  ].find((reason) => reason !== undefined);
  if (missing !== undefined && process.env.REQUIRE_SERVICES === '1') {
    throw new Error(`${missing}, and REQUIRE_SERVICES=1 says it must be`);
  }
  return missing;
}

let unavailable = unavailableReason();
if (unavailable === undefined && redisSupported && !(await redisReachable())) {
  unavailable = `Redis is not reachable at ${REDIS_URL} (set TEST_REDIS_URL)`;
  if (process.env.REQUIRE_SERVICES === '1') {
    throw new Error(`${unavailable}, and REQUIRE_SERVICES=1 says it must be`);
  }
}
if (unavailable !== undefined) {
  console.warn(`load-balancer skipped: ${unavailable}`);
}
const describeWithServices = unavailable === undefined ? describe : describe.skip;

const freePort = () =>
  new Promise<number>((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The X-Request-Id sent, which names the request's line in the log of the instance that answered. */
  id: string;
}

let sequence = 0;

/** A client at one loopback address, with keep-alive connections to the balancer. */
class Client {
  private readonly agent: Agent;

  constructor(
    private readonly base: string,
    readonly address: string,
  ) {
    this.agent = new Agent({ keepAlive: true, localAddress: address });
  }

  send(method: string, path: string, options: { token?: string; body?: object } = {}): Promise<Answer> {
    const id = `lb-${++sequence}`;
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { 'X-Request-Id': id };
    if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    return new Promise((done, fail) => {
      const req = httpRequest(
        new URL(path, this.base),
        { method, headers, agent: this.agent, localAddress: this.address, timeout: 10_000 },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('error', fail);
          res.on('end', () => {
            let body: Record<string, unknown>;
            try {
              body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
            } catch {
              body = { text };
            }
            done({ status: res.statusCode ?? 0, headers: res.headers, body, id });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', fail);
      req.end(payload);
    });
  }

  login = () => this.send('POST', '/login', { body: ADMIN });
  user = (token: string) => this.send('GET', '/user', { token });

  close(): void {
    this.agent.destroy();
  }
}

/** One instance: a port that stays its own across restarts, and every process run on it. */
interface Instance {
  name: string;
  port: number;
  cwd: string;
  runs: RunningServer[];
}

const current = (instance: Instance) => instance.runs[instance.runs.length - 1];

/** The request lines of an instance's runs, by request id: the client address each one saw. */
function requestLines(instance: Instance): Map<string, string> {
  const lines = new Map<string, string>();
  for (const run of instance.runs) {
    for (const line of run.output().split('\n')) {
      if (!line.includes('"request completed"')) continue;
      const entry = JSON.parse(line) as { req: { id: string; remoteAddress: string } };
      lines.set(entry.req.id, entry.req.remoteAddress);
    }
  }
  return lines;
}

/** HAProxy's view of each instance (UP, DOWN, ...), from `show stat` on its admin socket. */
function serverStates(socketPath: string): Promise<Record<string, string>> {
  return new Promise((done, fail) => {
    const socket = createConnection(socketPath);
    let text = '';
    socket.on('connect', () => socket.write('show stat\n'));
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', fail);
    socket.on('end', () => {
      const [header, ...rows] = text.replace(/^# /, '').trim().split('\n');
      const columns = header.split(',');
      const states: Record<string, string> = {};
      for (const row of rows.map((line) => line.split(','))) {
        const field = (name: string) => row[columns.indexOf(name)];
        if (field('pxname') === 'app' && /^app\d$/.test(field('svname'))) {
          states[field('svname')] = field('status');
        }
      }
      done(states);
    });
  });
}

describeWithServices(
  `Three instances behind HAProxy (deploy/haproxy.cfg)${unavailable === undefined ? '' : ` (skipped: ${unavailable})`}`,
  () => {
    let database: string;
    let balancer: ServiceProcess | undefined;
    let socketPath: string;
    let base: string;
    const instances: Instance[] = [];
    const clients: Client[] = [];
    const client = (address: string) => {
      const made = new Client(base, address);
      clients.push(made);
      return made;
    };

    const env = (port: number) => ({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database,
      JWT_SECRET: PRODUCTION_SECRET,
      ADMIN_NAME: ADMIN.name,
      ADMIN_PASSWORD: ADMIN.password,
      TRUST_PROXY: '127.0.0.1',
      LOGIN_RATE_LIMIT: String(RATE_LIMIT),
      REVOCATION_POLL_INTERVAL: String(POLL_S),
      SHUTDOWN_DELAY: '2',
      // A prefix of its own: two runs on one machine (or one Redis) must not share their limits.
      ...(redisSupported ? { REDIS_URL, REDIS_KEY_PREFIX: prefix } : {}),
    });

    /**
     * Which instance answered each request, by the request lines in their logs (written after the
     * answer, so read until every line has arrived, or for at most 2 s).
     */
    async function answeredBy(answers: Answer[]): Promise<(string | undefined)[]> {
      const deadline = Date.now() + 2_000;
      for (;;) {
        const lines = instances.map(requestLines);
        const names = answers.map(({ id }) => instances[lines.findIndex((seen) => seen.has(id))]?.name);
        if (names.every((name) => name !== undefined) || Date.now() > deadline) return names;
        await sleep(50);
      }
    }
    const spread = (names: (string | undefined)[]) =>
      Object.fromEntries(instances.map(({ name }) => [name, names.filter((seen) => seen === name).length]));

    async function waitForStates(expected: Record<string, string>, limitMs = 15_000): Promise<void> {
      const deadline = Date.now() + limitMs;
      let states: Record<string, string> = {};
      while (Date.now() < deadline) {
        states = await serverStates(socketPath);
        if (Object.entries(expected).every(([name, state]) => states[name] === state)) return;
        await sleep(50);
      }
      throw new Error(
        `HAProxy did not see ${JSON.stringify(expected)} within ${limitMs} ms: ${JSON.stringify(states)}\n${balancer?.output()}`,
      );
    }

    beforeAll(async () => {
      database = createTestDatabase();
      // Each instance first takes a port the kernel picks; restarts reuse it (the balancer's config).
      const runs = await Promise.all(
        [1, 2, 3].map(async (n) => {
          const cwd = mkdtempSync(join(tmpdir(), 'nest-jwt-auth-lb-'));
          return { n, cwd, run: await startServer(env(await freePort()), cwd) };
        }),
      );
      for (const { n, cwd, run } of runs) {
        instances.push({ name: `app${n}`, port: Number(new URL(run.url).port), cwd, runs: [run] });
      }
      const port = await freePort();
      socketPath = join(mkdtempSync(join(tmpdir(), 'nest-jwt-auth-haproxy-')), 'admin.sock');
      balancer = spawnProcess({
        command: haproxy!,
        args: ['-f', CONFIG, '-db'],
        env: {
          PATH: process.env.PATH,
          LB_BIND: `127.0.0.1:${port}`,
          LB_STATS_SOCKET: socketPath,
          ...Object.fromEntries(instances.map(({ name, port }) => [name.toUpperCase(), `127.0.0.1:${port}`])),
        },
        cwd: tmpdir(),
        label: 'haproxy',
      });
      base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 10_000;
      while (
        !(await serverStates(socketPath).then(
          (states) => Object.values(states).length === INSTANCES,
          () => false,
        ))
      ) {
        if (!balancer.running || Date.now() > deadline) {
          throw new Error(`haproxy did not start:\n${balancer.output()}`);
        }
        await sleep(50);
      }
      await waitForStates({ app1: 'UP', app2: 'UP', app3: 'UP' });
    });

    afterAll(async () => {
      for (const made of clients) made.close();
      await balancer?.stop();
      await Promise.all(instances.map((instance) => current(instance).stop()));
      if (database !== undefined) dropTestDatabase(database);
    });

    it('should log in, spread GET /user over every instance, refresh and log out through the balancer', async () => {
      const alice = client('127.0.0.2');
      const login = await alice.login();
      expect(login.status).toBe(200);
      const token = login.body.token as string;

      const users = await Promise.all(Array.from({ length: 30 }, () => alice.user(token)));
      expect(users.map(({ status }) => status)).toEqual(users.map(() => 200));
      expect(users[0].body).toEqual({ id: 1, name: ADMIN.name });
      const perInstance = spread(await answeredBy(users));
      console.info(`30 GET /user through the balancer, by instance: ${JSON.stringify(perInstance)}`);
      for (const count of Object.values(perInstance)) {
        expect(count).toBeGreaterThanOrEqual(5);
      }
      // The instances saw the client's address (X-Forwarded-For from a TRUST_PROXY address), not HAProxy's.
      const seen = instances.flatMap((instance) => [...requestLines(instance)]);
      const addresses = new Set(seen.filter(([id]) => users.some((u) => u.id === id)).map(([, ip]) => ip));
      expect([...addresses]).toEqual(['127.0.0.2']);

      const refreshed = await alice.send('POST', '/refresh', {
        body: { refreshToken: login.body.refreshToken },
      });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.refreshToken).not.toBe(login.body.refreshToken);
      const newToken = refreshed.body.token as string;
      const withNew = await Promise.all(Array.from({ length: 6 }, () => alice.user(newToken)));
      expect(withNew.map(({ status }) => status)).toEqual(withNew.map(() => 200));

      const logout = await alice.send('POST', '/logout', { token: newToken });
      expect(logout.status).toBe(204);
      const loggedOut = Date.now();
      // Every instance refuses it within the revocation poll (or at once with Redis' fan-out):
      // wait for a run of refusals that took in every instance.
      const limitMs = POLL_S * 1000 * 2 + 1_000;
      for (;;) {
        const round = await Promise.all(Array.from({ length: 9 }, () => alice.user(newToken)));
        const names = await answeredBy(round);
        if (round.every(({ status }) => status === 401) && new Set(names).size === INSTANCES) {
          expect(round[0].headers['www-authenticate']).toMatch(/^Bearer/);
          break;
        }
        expect(Date.now() - loggedOut).toBeLessThan(limitMs);
        await sleep(50);
      }
      console.info(
        `logout through the balancer refused by all ${INSTANCES} instances after ${Date.now() - loggedOut} ms` +
          (redisSupported ? ' (Redis fan-out)' : ` (database poll, ${POLL_S} s)`),
      );
    });

    const throttlingTitle = redisSupported
      ? `should refuse the ${RATE_LIMIT + 1}th login in a minute from one client (429), whichever instance gets it (Redis)`
      : `should throttle logins per client address on each instance: at most ${RATE_LIMIT} × ${INSTANCES} in a minute without Redis`;
    it(throttlingTitle, async () => {
      const mallory = client('127.0.0.3');
      const attempts: Answer[] = [];
      for (let i = 0; i < RATE_LIMIT * INSTANCES + 6; i++) {
        attempts.push(await mallory.login());
      }
      const statuses = attempts.map(({ status }) => status);
      expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
      const allowed = statuses.filter((status) => status === 200).length;
      const refused = attempts.filter(({ status }) => status === 429);
      expect(refused[0].headers['retry-after']).toMatch(/^\d+$/);
      if (redisSupported) {
        expect(statuses.slice(0, RATE_LIMIT)).toEqual(Array(RATE_LIMIT).fill(200));
        expect(allowed).toBe(RATE_LIMIT);
      } else {
        // Each instance counts alone: the balancer's round robin lets the client log in up to
        // LOGIN_RATE_LIMIT times on each, then every instance refuses it.
        expect(allowed).toBeGreaterThan(RATE_LIMIT);
        expect(allowed).toBeLessThanOrEqual(RATE_LIMIT * INSTANCES);
        expect(statuses.slice(-6)).toEqual(Array(6).fill(429));
        expect(new Set(await answeredBy(refused)).size).toBe(INSTANCES);
      }
      console.info(`${attempts.length} logins from one client through the balancer: ${allowed} allowed`);
      // Counted per client address, not per balancer: another client still logs in.
      expect((await client('127.0.0.4').login()).status).toBe(200);
    });

    it('should serve every request while the instances restart one at a time (SIGTERM, start again)', async () => {
      const bob = client('127.0.0.5');
      const first = await bob.login();
      expect(first.status).toBe(200);
      let pair = { token: first.body.token as string, refreshToken: first.body.refreshToken as string };
      const answers: Answer[] = [];
      const failures: string[] = [];
      const expectOk = async (what: string, call: () => Promise<Answer>) => {
        try {
          const answer = await call();
          answers.push(answer);
          if (answer.status !== 200)
            failures.push(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
          return answer;
        } catch (error) {
          failures.push(`${what}: ${String(error)}`);
          return undefined;
        }
      };
      let running = true;
      // Four GET /user in flight at all times, and a login or a refresh every 1.2 s until the
      // client's budget is spent: with Redis, LOGIN_RATE_LIMIT counts /login and /refresh of one
      // client together on every instance, and a restart takes longer than the budget lasts
      // (20 s in CI), so a fixed pace would end in 429s that are the throttle working, not a fault.
      // Under 2 s apart: a keep-alive connection idle for haproxy.cfg's `timeout http-keep-alive 2s`
      // is closed by HAProxy as the client reuses it ("socket hang up", the client's race, not ours).
      let budget = RATE_LIMIT - 1; // the first login above spent one
      const readers = Array.from({ length: 4 }, async () => {
        while (running) await expectOk('GET /user', () => bob.user(pair.token));
      });
      const writer = (async () => {
        for (let turn = 0; running && budget > 0; turn++, budget--) {
          await sleep(1_200);
          if (!running) break;
          if (turn % 2 === 0) {
            await expectOk('POST /login', () => bob.login());
            continue;
          }
          const answer = await expectOk('POST /refresh', () =>
            bob.send('POST', '/refresh', { body: { refreshToken: pair.refreshToken } }),
          );
          if (answer?.status === 200) {
            pair = { token: answer.body.token as string, refreshToken: answer.body.refreshToken as string };
          }
        }
      })();

      const started = Date.now();
      const rejoined: Answer[][] = [];
      try {
        await sleep(500);
        for (const instance of instances) {
          const exitCode = await current(instance).stop();
          expect(exitCode).toBe(0);
          expect((await serverStates(socketPath))[instance.name]).toBe('DOWN');
          instance.runs.push(await startServer(env(instance.port), instance.cwd));
          await waitForStates({ [instance.name]: 'UP' });
          const mark = answers.length;
          await sleep(500);
          rejoined.push(answers.slice(mark));
        }
      } finally {
        running = false;
        await Promise.all([...readers, writer]);
      }
      const seconds = (Date.now() - started) / 1000;

      const byInstance = spread(await answeredBy(answers));
      console.info(
        `rolling restart of ${INSTANCES} instances behind HAProxy in ${seconds.toFixed(1)} s: ` +
          `${answers.length + failures.length} requests, ${failures.length} failed; answered by ${JSON.stringify(byInstance)}`,
      );
      expect(failures).toEqual([]);
      expect(answers.length).toBeGreaterThan(100);
      // Every line has the client's address, also for answers whose connection closed at once (draining).
      const ids = new Set(answers.map(({ id }) => id));
      const addresses = new Set(
        instances.flatMap((instance) =>
          [...requestLines(instance)].filter(([id]) => ids.has(id)).map(([, ip]) => ip),
        ),
      );
      expect([...addresses]).toEqual([bob.address]);
      // Each restarted instance was back in the rotation: it answered requests after rejoining.
      for (const [i, instance] of instances.entries()) {
        expect(await answeredBy(rejoined[i])).toContain(instance.name);
      }
    });
  },
);
