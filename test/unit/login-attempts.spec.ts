import { beforeEach, describe, expect, it } from '@jest/globals';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { validateEnv } from '../../src/config/env.schema.js';
import {
  LOGIN_ATTEMPT_STORE,
  LoginAttemptLimiter,
  MemoryLoginAttemptStore,
} from '../../src/throttling/login-attempts.js';

const VARIABLES = { LOGIN_FAILURE_LIMIT: '3', LOGIN_FAILURE_WINDOW: '900', LOGIN_HOLD_SECONDS: '10' };
/** What ConfigService holds for these variables, durations derived by the schema. */
const SETTINGS: Record<string, unknown> = validateEnv(VARIABLES);

describe(LoginAttemptLimiter.name, () => {
  let limiter: LoginAttemptLimiter;
  const t0 = 1_800_000_000_000;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [
        LoginAttemptLimiter,
        { provide: LOGIN_ATTEMPT_STORE, useValue: new MemoryLoginAttemptStore() },
        { provide: ConfigService, useValue: { get: (key: string) => SETTINGS[key] } },
      ],
    }).compile();
    limiter = moduleRef.get(LoginAttemptLimiter);
  });

  it('should not hold a name below the failure limit', async () => {
    await limiter.recordFailure('alice', t0);
    await limiter.recordFailure('alice', t0);
    expect(await limiter.heldFor('alice', t0)).toBe(0);
  });

  it('should hold a name LOGIN_HOLD_SECONDS at the limit, then double with each further failure, up to the window', async () => {
    for (let i = 0; i < 3; i++) {
      await limiter.recordFailure('alice', t0);
    }
    expect(await limiter.heldFor('alice', t0)).toBe(10);
    expect(await limiter.heldFor('alice', t0 + 10_000)).toBe(0);
    await limiter.recordFailure('alice', t0 + 10_000);
    expect(await limiter.heldFor('alice', t0 + 10_000)).toBe(20);
    await limiter.recordFailure('alice', t0 + 30_000);
    expect(await limiter.heldFor('alice', t0 + 30_000)).toBe(40);
    for (let i = 0; i < 20; i++) {
      await limiter.recordFailure('alice', t0 + 100_000);
    }
    expect(await limiter.heldFor('alice', t0 + 100_000)).toBe(900);
  });

  it('should key names case-insensitively, and keep names apart', async () => {
    for (const name of ['Bob', 'BOB', 'bob']) {
      await limiter.recordFailure(name, t0);
    }
    expect(await limiter.heldFor('bOb', t0)).toBe(10);
    expect(await limiter.heldFor('carol', t0)).toBe(0);
  });

  it('should forget the failures after a success', async () => {
    await limiter.recordFailure('alice', t0);
    await limiter.recordFailure('alice', t0);
    await limiter.recordSuccess('alice');
    await limiter.recordFailure('alice', t0);
    expect(await limiter.heldFor('alice', t0)).toBe(0);
  });
});
