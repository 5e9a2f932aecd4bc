import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LRUCache } from 'lru-cache';
import type { Env } from '../config/env.schema.js';
import { nameKey } from '../common/validation/name-key.js';

/** Failed logins for one account name, within the failure window. */
export interface FailureRecord {
  failures: number;
  /** Epoch ms until which the name is held back, or 0. */
  heldUntil: number;
}

/**
 * Where failure counters live. A ThrottlerStorage counts on every call and cannot be read
 * without counting, which "is this name held back?" needs; so the per-account counters have
 * this small interface of their own, in memory now and shareable (Redis) later.
 */
export interface LoginAttemptStore {
  get(key: string): Promise<FailureRecord | undefined>;
  /** Stores the record until `ttlMs` from now (the failure window, renewed by each failure). */
  set(key: string, record: FailureRecord, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

export const LOGIN_ATTEMPT_STORE = Symbol('LOGIN_ATTEMPT_STORE');

/** Bounded, so a spray of random names cannot grow memory without limit. */
export class MemoryLoginAttemptStore implements LoginAttemptStore {
  private readonly records = new LRUCache<string, FailureRecord>({ max: 100_000, ttlAutopurge: false });

  get(key: string): Promise<FailureRecord | undefined> {
    return Promise.resolve(this.records.get(key));
  }

  set(key: string, record: FailureRecord, ttlMs: number): Promise<void> {
    this.records.set(key, record, { ttl: ttlMs });
    return Promise.resolve();
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
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly holdMs: number;

  constructor(
    @Inject(LOGIN_ATTEMPT_STORE) private readonly store: LoginAttemptStore,
    config: ConfigService<Env, true>,
  ) {
    this.limit = config.get('LOGIN_FAILURE_LIMIT', { infer: true });
    const durations = config.get('durations', { infer: true });
    this.windowMs = durations.loginFailureWindowMs;
    this.holdMs = durations.loginHoldMs;
  }

  /** Seconds the name must still wait, or 0. */
  async heldFor(name: string, now = Date.now()): Promise<number> {
    const record = await this.store.get(this.key(name));
    return record !== undefined && record.heldUntil > now ? Math.ceil((record.heldUntil - now) / 1000) : 0;
  }

  async recordFailure(name: string, now = Date.now()): Promise<void> {
    const key = this.key(name);
    const failures = ((await this.store.get(key))?.failures ?? 0) + 1;
    const excess = failures - this.limit;
    const heldUntil =
      excess >= 0 ? now + Math.min(this.holdMs * 2 ** Math.min(excess, 30), this.windowMs) : 0;
    await this.store.set(key, { failures, heldUntil }, Math.max(this.windowMs, heldUntil - now));
  }

  async recordSuccess(name: string): Promise<void> {
    await this.store.delete(this.key(name));
  }

  private key(name: string): string {
    return `login:${nameKey(name)}`;
  }
}
