import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LRUCache } from 'lru-cache';
import { growingBound } from './growing-bound.js';
import type { Actor } from '../common/request-context/actor.js';
import type { Env } from '../config/env.schema.js';
import { nameKey } from '../common/validation/name-key.js';
import { AuditLog } from '../logging/audit.js';
import { Metrics } from '../metrics/metrics.js';
import { TooManyAttemptsError } from './too-many-attempts.error.js';

/** Failed logins for one account name, within the failure window. */
export interface FailureRecord {
  failures: number;
  /** Epoch ms until which the name is held back, or 0. */
  heldUntil: number;
}

/** The hold rule: LOGIN_FAILURE_LIMIT, LOGIN_HOLD_SECONDS and LOGIN_FAILURE_WINDOW, in milliseconds. */
export interface HoldPolicy {
  limit: number;
  holdMs: number;
  windowMs: number;
}

/**
 * Until when a name is held after its `failures`-th failure at `now` (0: not held): from the
 * limit on, holdMs at first, doubling with each further failure, at most the window. The Redis
 * store's script (redis-login-attempt.store.ts) computes the same.
 */
export function heldUntilAfter(failures: number, policy: HoldPolicy, now: number): number {
  const excess = failures - policy.limit;
  return excess >= 0 ? now + Math.min(policy.holdMs * 2 ** Math.min(excess, 30), policy.windowMs) : 0;
}

/**
 * Where failure counters live. A ThrottlerStorage counts on every call and cannot be read
 * without counting, which "is this name held back?" needs; so the per-account counters have
 * this small interface of their own, in memory or shared through Redis.
 */
export interface LoginAttemptStore {
  get(key: string): Promise<FailureRecord | undefined>;
  /**
   * Counts one failure, in one step so that concurrent failures (on any instance) all count, and
   * returns the record it leaves, kept for the failure window (or the hold, if longer).
   */
  recordFailure(key: string, policy: HoldPolicy, now: number): Promise<FailureRecord>;
  delete(key: string): Promise<void>;
}

/** Which count of an account: its password checks, or its second-factor checks. */
export type AttemptScope = 'login' | 'mfa';

/** Which count, and at what time (tests pass `now`; the service runs on the clock). */
export interface AttemptOptions {
  scope?: AttemptScope;
  now?: number;
}

export const LOGIN_ATTEMPT_STORE = Symbol('LOGIN_ATTEMPT_STORE');

/** Bounded, so a spray of random names cannot grow memory without limit. */
export class MemoryLoginAttemptStore implements LoginAttemptStore {
  private readonly records = new LRUCache<string, FailureRecord>({
    ...growingBound(100_000),
    ttlAutopurge: false,
  });

  get(key: string): Promise<FailureRecord | undefined> {
    return Promise.resolve(this.records.get(key));
  }

  recordFailure(key: string, policy: HoldPolicy, now: number): Promise<FailureRecord> {
    const failures = (this.records.get(key)?.failures ?? 0) + 1;
    const record = { failures, heldUntil: heldUntilAfter(failures, policy, now) };
    this.records.set(key, record, { ttl: Math.max(policy.windowMs, record.heldUntil - now) });
    return Promise.resolve(record);
  }

  delete(key: string): Promise<void> {
    this.records.delete(key);
    return Promise.resolve();
  }
}

/**
 * Holds back an account name, whatever the client address, after LOGIN_FAILURE_LIMIT failed
 * logins within LOGIN_FAILURE_WINDOW seconds: LOGIN_HOLD_SECONDS at first, doubling with each
 * further failure, at most the window. While held, even the right password is refused (429).
 * Names are keyed whether or not the account exists, so the hold tells nothing about existence.
 */
@Injectable()
export class LoginAttemptLimiter {
  private readonly policy: HoldPolicy;

  constructor(
    @Inject(LOGIN_ATTEMPT_STORE) private readonly store: LoginAttemptStore,
    config: ConfigService<Env, true>,
    private readonly metrics: Metrics,
    private readonly auditLog: AuditLog,
  ) {
    const durations = config.get('durations', { infer: true });
    this.policy = {
      limit: config.get('LOGIN_FAILURE_LIMIT', { infer: true }),
      holdMs: durations.loginHoldMs,
      windowMs: durations.loginFailureWindowMs,
    };
  }

  /**
   * The one hold check, before any secret is looked at: while `name` is held back in any of
   * `scopes`, records `login.throttled` (naming the `check` that asked) and the account metric,
   * and throws TooManyAttemptsError with the longest wait (the 429 and its Retry-After).
   */
  async refuseIfHeld(
    name: string,
    actor: Actor,
    check: string,
    scopes: readonly AttemptScope[] = ['login'],
  ): Promise<void> {
    let wait = 0;
    for (const scope of scopes) {
      wait = Math.max(wait, await this.heldFor(name, { scope }));
    }
    if (wait > 0) {
      this.auditLog.record('login.throttled', actor, { scope: 'account', check, name, retryAfter: wait });
      this.metrics.throttled('account');
      throw new TooManyAttemptsError(wait);
    }
  }

  /**
   * Seconds the name must still wait, or 0. `scope` 'mfa' is the second factor's own count
   * (src/mfa/): a right password clears the login count, and must not clear that one too.
   */
  async heldFor(name: string, { scope = 'login', now = Date.now() }: AttemptOptions = {}): Promise<number> {
    const record = await this.store.get(this.key(name, scope));
    return record !== undefined && record.heldUntil > now ? Math.ceil((record.heldUntil - now) / 1000) : 0;
  }

  async recordFailure(
    name: string,
    { scope = 'login', now = Date.now() }: AttemptOptions = {},
  ): Promise<void> {
    await this.store.recordFailure(this.key(name, scope), this.policy, now);
  }

  async recordSuccess(name: string, scope: AttemptScope = 'login'): Promise<void> {
    await this.store.delete(this.key(name, scope));
  }

  private key(name: string, scope: AttemptScope): string {
    return `${scope}:${nameKey(name)}`;
  }
}
