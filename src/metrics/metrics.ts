import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METHOD_LABELS, methodLabel, routeLabel } from './http-labels.js';

export type LoginOutcome = 'succeeded' | 'failed' | 'throttled' | 'mfa_required';
export type RefreshOutcome = 'rotated' | 'replayed' | 'refused';
/** Why sessions ended: the values of sessions/' SessionEndReason, which must stay assignable to it. */
export type RevocationReason =
  'logout' | 'replay' | 'password' | 'mfa' | 'disabled' | 'revoked' | 'idle' | 'expired';
/** A per-account hold (LOGIN_FAILURE_LIMIT) or a per-address 429 (LOGIN_RATE_LIMIT). */
export type ThrottleScope = 'account' | 'address';
export type HashOperation = 'hash' | 'verify';
/** What a public mail route's per-target limit (MAIL_TARGET_LIMIT) counts: an address, an account. */
export type MailTarget = 'address' | 'account' | 'sign_in_link';

const LOGIN_OUTCOMES: readonly LoginOutcome[] = ['succeeded', 'failed', 'throttled', 'mfa_required'];
const REFRESH_OUTCOMES: readonly RefreshOutcome[] = ['rotated', 'replayed', 'refused'];
const REVOCATION_REASONS: readonly RevocationReason[] = [
  'logout',
  'replay',
  'password',
  'mfa',
  'disabled',
  'revoked',
  'idle',
  'expired',
];
const THROTTLE_SCOPES: readonly ThrottleScope[] = ['account', 'address'];
const MAIL_TARGETS: readonly MailTarget[] = ['address', 'account', 'sign_in_link'];

/** From half a millisecond (GET /user with a remembered token) to seconds (a stalled database). */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** argon2id at OWASP's minimum row takes tens of milliseconds, hundreds under load. */
const HASH_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

/** How long a count of the active sessions is reused: one COUNT query per this, whatever the scrapers. */
export const ACTIVE_SESSIONS_CACHE_MS = 10_000;

export interface MetricsOptions {
  /**
   * prom-client's process and Node.js metrics (CPU, memory, event loop lag, GC), and the HTTP
   * histogram: only when something scrapes (METRICS_PORT set), since they cost on every request.
   */
  serving: boolean;
}

/** A histogram child per (route, method, status), found without building a label object. */
type Observe = (seconds: number) => void;

/**
 * The service's Prometheus metrics (docs/metrics.md), in a registry of this application's own:
 * never prom-client's global one, so that several applications in one process (the e2e tests)
 * keep separate counts. Features record into it through the methods below, whose label values
 * are fixed enums; main.ts serves `registry` on METRICS_PORT (metrics-server.ts).
 */
export class Metrics {
  readonly registry = new Registry();
  /** Whether the HTTP histogram should be recorded (http-app.ts asks before adding its hook). */
  readonly serving: boolean;

  private readonly logins = new Counter({
    name: 'auth_logins_total',
    help:
      'Login attempts that reached a decision, by outcome (POST /login, /login/mfa, /login/passkey); ' +
      'throttled: refused by any limiter, per address or per account',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly refreshes = new Counter({
    name: 'auth_refreshes_total',
    help: 'Refresh tokens presented to POST /refresh, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly revocations = new Counter({
    name: 'auth_revocations_total',
    help: 'Sessions ended by this process, by what ended them',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly throttleHolds = new Counter({
    name: 'auth_throttle_holds_total',
    help: 'Requests refused with 429: a held-back account name, or a client address over its rate',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });
  private readonly mailHolds = new Counter({
    name: 'mail_throttled_total',
    help: 'Mails not sent because their target (an address, an account) was over MAIL_TARGET_LIMIT; the caller got the usual 202',
    labelNames: ['target'] as const,
    registers: [this.registry],
  });
  private readonly hashDuration = new Histogram({
    name: 'auth_password_hash_duration_seconds',
    help: 'Time to hash or verify a password on the argon2 worker pool, queueing included',
    labelNames: ['operation'] as const,
    buckets: HASH_BUCKETS,
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request of the public port, by method, route template and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  private readonly httpChildren = new Map<string, Map<number, Observe>>();
  private fanOutLag?: Histogram<'event'>;

  constructor({ serving }: MetricsOptions = { serving: false }) {
    this.serving = serving;
    if (serving) {
      collectDefaultMetrics({ register: this.registry });
    }
    // Every fixed label value from the start, at 0: rate() and absent() work before the first event.
    for (const outcome of LOGIN_OUTCOMES) {
      this.logins.inc({ outcome }, 0);
    }
    for (const outcome of REFRESH_OUTCOMES) {
      this.refreshes.inc({ outcome }, 0);
    }
    for (const reason of REVOCATION_REASONS) {
      this.revocations.inc({ reason }, 0);
    }
    for (const scope of THROTTLE_SCOPES) {
      this.throttleHolds.inc({ scope }, 0);
    }
    for (const target of MAIL_TARGETS) {
      this.mailHolds.inc({ target }, 0);
    }
  }

  login(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }

  refresh(outcome: RefreshOutcome): void {
    this.refreshes.inc({ outcome });
  }

  revoked(reason: RevocationReason, sessions: number): void {
    if (sessions > 0) {
      this.revocations.inc({ reason }, sessions);
    }
  }

  throttled(scope: ThrottleScope): void {
    this.throttleHolds.inc({ scope });
  }

  mailThrottled(target: MailTarget): void {
    this.mailHolds.inc({ target });
  }

  /** Starts timing a password hash or verify; call the result when it has settled. */
  timeHash(operation: HashOperation): () => void {
    const end = this.hashDuration.startTimer({ operation });
    return () => {
      end();
    };
  }

  /** `auth_password_hash_queue_depth`: read at each scrape from the worker pool. */
  watchHashQueue(depth: () => number): void {
    new Gauge({
      name: 'auth_password_hash_queue_depth',
      help: 'Password hashes and verifies waiting for a free argon2 worker',
      registers: [this.registry],
      collect() {
        this.set(depth());
      },
    });
  }

  /**
   * `auth_active_sessions`: counted by `count` (one COUNT query) at a scrape, reused for
   * ACTIVE_SESSIONS_CACHE_MS so that scrapers cannot load the database. A failed count keeps the
   * last value and is tried again at the next scrape.
   */
  watchActiveSessions(count: () => Promise<number>, now: () => number = Date.now): void {
    let countedAt = -Infinity;
    new Gauge({
      name: 'auth_active_sessions',
      help: `Sessions not ended, idle or expired, in the whole database (counted at most every ${ACTIVE_SESSIONS_CACHE_MS / 1000} s)`,
      registers: [this.registry],
      async collect() {
        if (now() - countedAt < ACTIVE_SESSIONS_CACHE_MS) {
          return;
        }
        try {
          this.set(await count());
          countedAt = now();
        } catch {
          // The database is down: readiness says so; the scrape itself still answers.
        }
      },
    });
  }

  /** `redis_connected` (only with REDIS_URL): 1 while both Redis connections are ready. */
  watchRedis(connected: () => boolean): void {
    new Gauge({
      name: 'redis_connected',
      help: 'Whether both Redis connections (commands and subscriber) are ready: 1 or 0',
      registers: [this.registry],
      collect() {
        this.set(connected() ? 1 : 0);
      },
    });
    this.fanOutLag = new Histogram({
      name: 'redis_fanout_lag_seconds',
      help: 'From publishing to receipt of an instance event on Redis (revocations: sessions.ended); across hosts, includes clock skew',
      labelNames: ['event'] as const,
      buckets: LAG_BUCKETS,
      registers: [this.registry],
    });
  }

  /** An instance event received `seconds` after another process published it. */
  fannedOut(event: 'sessions.ended' | 'user.changed' | 'keys.changed', seconds: number): void {
    this.fanOutLag?.observe({ event }, Math.max(0, seconds));
  }

  /**
   * Records one answered request (Fastify's onResponse). Runs on every request: the histogram
   * child is found by two map lookups, without the label object prom-client would hash each time.
   */
  readonly observeRequest = (
    method: string,
    template: string | undefined,
    statusCode: number,
    ms: number,
  ): void => {
    const route = routeLabel(template);
    let byStatus = this.httpChildren.get(route);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.httpChildren.set(route, byStatus);
    }
    const methodName = methodLabel(method);
    // Methods and statuses are both bounded (METHOD_LABELS, 100-599): one number keys the pair.
    const key = METHOD_INDEX.get(methodName)! * 1000 + statusCode;
    let observe = byStatus.get(key);
    if (observe === undefined) {
      const child = this.httpDuration.labels(methodName, route, String(statusCode));
      observe = (seconds) => child.observe(seconds);
      byStatus.set(key, observe);
    }
    observe(ms / 1000);
  };
}

const METHOD_INDEX = new Map<string, number>(METHOD_LABELS.map((name, index) => [name, index]));
