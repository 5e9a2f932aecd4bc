import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { validateEnv } from '../../src/config/env.schema.js';
import { AuditLog, AuditSink, type AuditEntry } from '../../src/logging/audit.js';
import { Metrics } from '../../src/metrics/metrics.js';
import {
  LOGIN_ATTEMPT_STORE,
  LoginAttemptLimiter,
  MemoryLoginAttemptStore,
} from '../../src/throttling/login-attempts.js';
import { TooManyAttemptsError } from '../../src/throttling/too-many-attempts.error.js';

const VARIABLES = { LOGIN_FAILURE_LIMIT: '3', LOGIN_FAILURE_WINDOW: '900', LOGIN_HOLD_SECONDS: '10' };
/** What ConfigService holds for these variables, durations derived by the schema. */
const SETTINGS: Record<string, unknown> = validateEnv(VARIABLES);

describe(LoginAttemptLimiter.name, () => {
  let limiter: LoginAttemptLimiter;
  let metrics: { throttled: jest.Mock<(scope: string) => void> };
  let audited: AuditEntry[];
  const t0 = 1_800_000_000_000;

  beforeEach(async () => {
    metrics = { throttled: jest.fn<(scope: string) => void>() };
    audited = [];
    const moduleRef = await Test.createTestingModule({
      providers: [
        LoginAttemptLimiter,
        AuditLog,
        { provide: AuditSink, useValue: { record: (entry: AuditEntry) => audited.push(entry) } },
        { provide: Metrics, useValue: metrics },
        { provide: LOGIN_ATTEMPT_STORE, useValue: new MemoryLoginAttemptStore() },
        { provide: ConfigService, useValue: { get: (key: string) => SETTINGS[key] } },
      ],
    }).compile();
    limiter = moduleRef.get(LoginAttemptLimiter);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('should not hold a name below the failure limit', async () => {
    await limiter.recordFailure('alice', { now: t0 });
    await limiter.recordFailure('alice', { now: t0 });
    expect(await limiter.heldFor('alice', { now: t0 })).toBe(0);
  });

  it('should hold a name LOGIN_HOLD_SECONDS at the limit, then double with each further failure, up to the window', async () => {
    for (let i = 0; i < 3; i++) {
      await limiter.recordFailure('alice', { now: t0 });
    }
    expect(await limiter.heldFor('alice', { now: t0 })).toBe(10);
    expect(await limiter.heldFor('alice', { now: t0 + 10_000 })).toBe(0);
    await limiter.recordFailure('alice', { now: t0 + 10_000 });
    expect(await limiter.heldFor('alice', { now: t0 + 10_000 })).toBe(20);
    await limiter.recordFailure('alice', { now: t0 + 30_000 });
    expect(await limiter.heldFor('alice', { now: t0 + 30_000 })).toBe(40);
    for (let i = 0; i < 20; i++) {
      await limiter.recordFailure('alice', { now: t0 + 100_000 });
    }
    expect(await limiter.heldFor('alice', { now: t0 + 100_000 })).toBe(900);
  });

  it('should key names case-insensitively, and keep names apart', async () => {
    for (const name of ['Bob', 'BOB', 'bob']) {
      await limiter.recordFailure(name, { now: t0 });
    }
    expect(await limiter.heldFor('bOb', { now: t0 })).toBe(10);
    expect(await limiter.heldFor('carol', { now: t0 })).toBe(0);
  });

  it('should forget the failures after a success', async () => {
    await limiter.recordFailure('alice', { now: t0 });
    await limiter.recordFailure('alice', { now: t0 });
    await limiter.recordSuccess('alice');
    await limiter.recordFailure('alice', { now: t0 });
    expect(await limiter.heldFor('alice', { now: t0 })).toBe(0);
  });

  describe('refuseIfHeld', () => {
    const actor = { requestId: 'request-1', ip: '203.0.113.9' };

    beforeEach(() => {
      jest.useFakeTimers({ now: t0 });
    });

    it('should let a name through that is not held, recording nothing', async () => {
      await limiter.recordFailure('alice');
      await expect(limiter.refuseIfHeld('alice', actor, 'login')).resolves.toBeUndefined();
      expect(audited).toEqual([]);
      expect(metrics.throttled).not.toHaveBeenCalled();
    });

    it('should refuse a held name with a 429 and its wait, one audit line and the account metric', async () => {
      for (let i = 0; i < 3; i++) {
        await limiter.recordFailure('Alice');
      }
      const refusal = limiter.refuseIfHeld('alice', actor, 'password_change');
      await expect(refusal).rejects.toBeInstanceOf(TooManyAttemptsError);
      await expect(refusal).rejects.toMatchObject({
        status: 429,
        retryAfterSeconds: 10,
        responseHeaders: { 'Retry-After': '10' },
        message: 'too many attempts: retry in 10 seconds',
      });
      expect(audited).toHaveLength(1);
      expect(audited[0]).toMatchObject({
        event: 'login.throttled',
        requestId: 'request-1',
        fields: { scope: 'account', check: 'password_change', name: 'alice', retryAfter: 10 },
      });
      expect(metrics.throttled.mock.calls).toEqual([['account']]);
    });

    it('should check only the login count unless told, and the longest wait of the scopes it is given', async () => {
      for (let i = 0; i < 4; i++) {
        await limiter.recordFailure('alice', { scope: 'mfa' });
      }
      await expect(limiter.refuseIfHeld('alice', actor, 'login')).resolves.toBeUndefined();
      for (let i = 0; i < 3; i++) {
        await limiter.recordFailure('alice');
      }
      await expect(limiter.refuseIfHeld('alice', actor, 'mfa', ['login', 'mfa'])).rejects.toMatchObject({
        retryAfterSeconds: 20,
      });
      expect(audited.at(-1)?.fields).toMatchObject({ check: 'mfa', retryAfter: 20 });
    });
  });
});
