import { describe, expect, it } from '@jest/globals';
import { activeKey, keyStates, nextKeyDue, type KeyTimes } from '../../src/keys/key-states.js';

const T0 = Date.parse('2026-12-01T00:00:00Z');
const MIN = 60_000;
/** ACCESS_TOKEN_TTL + clock tolerance: how long a retiring key stays accepted. */
const ACCEPTED = 15 * MIN + 30_000;

const key = (kid: string, activatesAtMin: number, revokedAtMin: number | null = null): KeyTimes => ({
  kid,
  algorithm: 'ES256',
  createdAt: new Date(T0 + Math.min(activatesAtMin, 0) * MIN),
  activatesAt: new Date(T0 + activatesAtMin * MIN),
  revokedAt: revokedAtMin === null ? null : new Date(T0 + revokedAtMin * MIN),
});

const statesAt = (keys: KeyTimes[], atMin: number) =>
  Object.fromEntries(keyStates(keys, T0 + atMin * MIN, ACCEPTED).map(({ key: k, state }) => [k.kid, state]));

describe('keyStates', () => {
  it('should make the one key active from its time on, and next before it', () => {
    expect(statesAt([key('a', 0)], -1)).toEqual({ a: 'next' });
    expect(statesAt([key('a', 0)], 0)).toEqual({ a: 'active' });
  });

  it('should hand over at the next key’s time: the old one retires for one token lifetime, then expires', () => {
    const keys = [key('a', 0), key('b', 60)];
    expect(statesAt(keys, 59)).toEqual({ a: 'active', b: 'next' });
    expect(statesAt(keys, 60)).toEqual({ a: 'retiring', b: 'active' });
    expect(statesAt(keys, 60 + 15)).toEqual({ a: 'retiring', b: 'active' });
    expect(statesAt(keys, 60 + 16)).toEqual({ a: 'expired', b: 'active' });
  });

  it('should say until when a retiring key is accepted: its successor’s activation plus TTL and tolerance', () => {
    const [a] = keyStates([key('a', 0), key('b', 60)], T0 + 61 * MIN, ACCEPTED);
    expect(a.acceptedUntil).toBe(T0 + 60 * MIN + ACCEPTED);
  });

  it('should refuse a revoked key at once, whatever its state was', () => {
    expect(statesAt([key('a', 0, 30), key('b', 30)], 30)).toEqual({ a: 'revoked', b: 'active' });
    expect(statesAt([key('a', 0), key('b', 60, 30)], 30)).toEqual({ a: 'active', b: 'revoked' });
  });

  it('should count a key revoked after it signed as the successor that retired the one before', () => {
    // a signed until b took over at 10; b was revoked at 20 and c took over then.
    const keys = [key('a', 0), key('b', 10, 20), key('c', 20)];
    expect(statesAt(keys, 21)).toEqual({ a: 'retiring', b: 'revoked', c: 'active' });
    expect(keyStates(keys, T0 + 21 * MIN, ACCEPTED)[0].acceptedUntil).toBe(T0 + 10 * MIN + ACCEPTED);
  });

  it('should not let a next key revoked before its time retire the active one', () => {
    expect(statesAt([key('a', 0), key('b', 60, 30)], 90)).toEqual({ a: 'active', b: 'revoked' });
  });

  it('should fall back to the last key that signed if the active one is revoked without a successor', () => {
    expect(statesAt([key('a', 0), key('b', 10, 20)], 21)).toEqual({ a: 'active', b: 'revoked' });
  });

  it('should order keys of the same activation by creation, then kid, the same on every instance', () => {
    const same = (kid: string) => ({ ...key(kid, 0), createdAt: new Date(T0) });
    const statuses = keyStates([same('b'), same('a')], T0, ACCEPTED);
    expect(activeKey(statuses)?.kid).toBe('b');
  });
});

describe('nextKeyDue', () => {
  const INTERVAL = 30 * 24 * 60 * MIN;
  const MAX_AGE = 5 * MIN;

  it('should publish the next key one JWKS max-age before the active one has signed for an interval', () => {
    const due = nextKeyDue(keyStates([key('a', 0)], T0, ACCEPTED), INTERVAL, MAX_AGE);
    expect(due).toEqual({ publishAt: T0 + INTERVAL - MAX_AGE, activatesAt: T0 + INTERVAL });
  });

  it('should ask for nothing while a next key waits, or when none signs', () => {
    expect(
      nextKeyDue(keyStates([key('a', 0), key('b', 60)], T0, ACCEPTED), INTERVAL, MAX_AGE),
    ).toBeUndefined();
    expect(nextKeyDue(keyStates([], T0, ACCEPTED), INTERVAL, MAX_AGE)).toBeUndefined();
  });
});
