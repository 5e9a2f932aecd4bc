import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Algorithm, hash as hashOnLibuv, hashSync, type Options } from '@node-rs/argon2';
import { Piscina } from 'piscina';
import { Metrics } from '../metrics/metrics.js';
import { traced } from '../tracing/tracing.js';

/** argon2id at OWASP's minimum row (m=19 MiB, t=2, p=1); bench/argon2-rate.mjs measures its cost. */
export const ARGON2_OPTIONS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const satisfies Options;

/**
 * The nice value of the hashing threads (the event loop runs at 0): a login flood must not starve
 * cheap requests; logins still progress, slowly, on a busy core. Figures: docs/decisions.md.
 */
export const HASHING_NICE = 15;

/** `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`: the parameters a stored hash was made with. */
const PHC_PARAMETERS = /^\$(argon2(?:id|i|d))\$v=(\d+)\$([^$]+)\$/;

/**
 * Hashes and verifies passwords; the only place that knows the hashing scheme.
 *
 * argon2 runs on worker threads (piscina), one per CPU this process may use, started on the
 * first login and stopped after a minute of idleness. Not libuv's thread pool: those threads
 * cannot be told apart from the ones serving files and DNS, so they cannot run at a lower
 * priority than the event loop (argon2.worker.mjs says why that matters).
 */
@Injectable()
export class PasswordHasher implements OnModuleDestroy {
  private readonly pool = new Piscina({
    filename: new URL('./argon2.worker.mjs', import.meta.url).href,
    workerData: { nice: HASHING_NICE },
    minThreads: 0,
    maxThreads: availableParallelism(),
    idleTimeout: 60_000,
  });

  /**
   * A hash of a random password, verified against when a name is unknown (same work, same time).
   * Made here, synchronously (one hash, milliseconds), so that starting needs no worker.
   */
  /** Set during withoutWorkers(). Not an AsyncLocalStorage: that would hook every promise on Node.js 20. */
  private workersOff = false;

  private readonly dummyHash = hashSync(randomBytes(32).toString('base64url'), ARGON2_OPTIONS);

  constructor(private readonly metrics: Metrics) {
    metrics.watchHashQueue(() => this.pool.queueSize);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.destroy();
  }

  /**
   * Runs `work` with its hashes on libuv's pool instead of the worker threads: for the first admin's
   * hash at start, before any request, which would otherwise start a worker (a V8 isolate, about
   * 15 MB resident, kept a minute) for one hash (docs/decisions.md#glibcs-malloc). A switch rather
   * than a context: it runs before the server listens, so nothing else hashes meanwhile.
   */
  async withoutWorkers<T>(work: () => Promise<T>): Promise<T> {
    this.workersOff = true;
    try {
      return await work();
    } finally {
      this.workersOff = false;
    }
  }

  async hash(password: string): Promise<string> {
    const done = this.metrics.timeHash('hash');
    try {
      return await traced('password hash', () =>
        this.workersOff
          ? hashOnLibuv(password, ARGON2_OPTIONS)
          : (this.pool.run({ op: 'hash', password, options: ARGON2_OPTIONS }) as Promise<string>),
      );
    } finally {
      done();
    }
  }

  /** Verifies `password` against `hash`, or against a dummy hash when there is no account. */
  async verify(hash: string | undefined, password: string): Promise<boolean> {
    const done = this.metrics.timeHash('verify');
    try {
      const matches = await traced(
        'password verify',
        () => this.pool.run({ op: 'verify', hash: hash ?? this.dummyHash, password }) as Promise<boolean>,
      );
      return matches && hash !== undefined;
    } catch {
      // A stored hash argon2 cannot parse is a failed login, not a server error.
      return false;
    } finally {
      done();
    }
  }

  /** Whether a stored hash was made with another variant or weaker settings than the current ones. */
  needsRehash(hash: string): boolean {
    const match = PHC_PARAMETERS.exec(hash);
    if (match === null || match[1] !== 'argon2id' || match[2] !== '19') {
      return true;
    }
    const parameters = new Map(match[3].split(',').map((pair) => pair.split('=') as [string, string]));
    return (
      Number(parameters.get('m')) < ARGON2_OPTIONS.memoryCost ||
      Number(parameters.get('t')) < ARGON2_OPTIONS.timeCost ||
      Number(parameters.get('p')) !== ARGON2_OPTIONS.parallelism
    );
  }
}
