import { randomBytes } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import argon2 from 'argon2';

/**
 * argon2id at OWASP's minimum row (m=19 MiB, t=2, p=1): about 45 ms per hash on one core here.
 * argon2 runs on libuv's thread pool, so hashing never blocks the event loop.
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** Hashes and verifies passwords; the only place that knows the hashing scheme. */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  /** A hash of a random password, verified against when a name is unknown (same work, same time). */
  private dummyHash!: string;

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash(randomBytes(32).toString('base64url'));
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  /** Verifies `password` against `hash`, or against a dummy hash when there is no account. */
  async verify(hash: string | undefined, password: string): Promise<boolean> {
    try {
      const matches = await argon2.verify(hash ?? this.dummyHash, password);
      return matches && hash !== undefined;
    } catch {
      // A stored hash argon2 cannot parse is a failed login, not a server error.
      return false;
    }
  }

  /** Whether a stored hash was made with weaker settings than the current ones. */
  needsRehash(hash: string): boolean {
    return argon2.needsRehash(hash, ARGON2_OPTIONS);
  }
}
