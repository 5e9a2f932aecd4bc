import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HASHING_NICE, PasswordHasher } from '../../src/users/password-hasher.service.js';
import { Metrics } from '../../src/metrics/metrics.js';

/** Made by the `argon2` package (node-argon2 0.45) before this service moved to @node-rs/argon2. */
const NODE_ARGON2_HASH =
  '$argon2id$v=19$m=19456,p=1,t=2$Ca20AH96FGuCBU4sU22wDw$t+LHw8AhBpoIc/VZqPCz3CMoFQ1XlykAc6m5FRGWpv8';

/** The nice value of each thread of this process (field 19 of /proc/self/task/<tid>/stat). */
/** Each thread of this process: its id and nice value. */
function threadNiceValues(): { tid: number; nice: number }[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid: Number(tid), nice: Number(fields[16]) };
  });
}

// First in this file: before any other test has started a hashing worker in this process.
describe('PasswordHasher.withoutWorkers', () => {
  it('should hash without starting a hashing worker (the first admin, at start)', async () => {
    const hasher = new PasswordHasher(new Metrics());
    try {
      const hash = await hasher.withoutWorkers(() => hasher.hash('first admin'));
      expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      // A worker thread runs at HASHING_NICE; none was started.
      expect(threadNiceValues().filter(({ nice }) => nice === HASHING_NICE)).toEqual([]);
      // Outside it, hashing goes to the workers again.
      expect(await hasher.verify(hash, 'first admin')).toBe(true);
      expect(threadNiceValues().filter(({ nice }) => nice === HASHING_NICE).length).toBeGreaterThan(0);
    } finally {
      await hasher.onModuleDestroy();
    }
  });
});

describe('PasswordHasher', () => {
  let hasher: PasswordHasher;

  beforeAll(() => {
    hasher = new PasswordHasher(new Metrics());
  });

  afterAll(async () => {
    await hasher.onModuleDestroy();
  });

  it('should hash with argon2id at the configured parameters and verify only the right password', async () => {
    const hash = await hasher.hash('correct horse');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(hash, 'correct horse')).toBe(true);
    expect(await hasher.verify(hash, 'correct horsf')).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
  });

  it('should verify hashes stored by the argon2 package it replaced', async () => {
    expect(await hasher.verify(NODE_ARGON2_HASH, 'pw')).toBe(true);
    expect(await hasher.verify(NODE_ARGON2_HASH, 'pv')).toBe(false);
    expect(hasher.needsRehash(NODE_ARGON2_HASH)).toBe(false);
  });

  it('should do the same work for an unknown account and never accept it', async () => {
    expect(await hasher.verify(undefined, 'anything')).toBe(false);
  });

  it('should answer false, not throw, for a stored hash it cannot parse', async () => {
    expect(await hasher.verify('not-a-hash', 'pw')).toBe(false);
    expect(await hasher.verify('$argon2id$v=19$m=19456,t=2,p=1$!!$!!', 'pw')).toBe(false);
  });

  it.each([
    ['weaker memory', '$argon2id$v=19$m=4096,t=2,p=1$c2FsdHNhbHQ$aGFzaA'],
    ['fewer passes', '$argon2id$v=19$m=19456,t=1,p=1$c2FsdHNhbHQ$aGFzaA'],
    ['another variant', '$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA'],
    ['an older version', '$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA'],
    ['another scheme', '$2b$10$abcdefghijklmnopqrstuv'],
  ])('should ask for a rehash of a hash with %s', (_label, hash) => {
    expect(hasher.needsRehash(hash)).toBe(true);
  });

  it('should hash on threads running at HASHING_NICE, leaving the event loop at 0', async () => {
    await Promise.all([hasher.verify(NODE_ARGON2_HASH, 'pw'), hasher.verify(NODE_ARGON2_HASH, 'pw')]);
    const after = threadNiceValues();
    expect(HASHING_NICE).toBeGreaterThan(0);
    expect(after.filter(({ nice }) => nice === HASHING_NICE).length).toBeGreaterThanOrEqual(1);
    // The main thread's tid is the pid. Not "the first listed": /proc lists tids in ascending
    // order, and once pids wrap around a newer thread may have a lower one (seen on CI).
    expect(after.find(({ tid }) => tid === process.pid)?.nice).toBe(0);
  });
});
