/**
 * The ids of sessions that ended while access tokens issued for them may still be unexpired.
 * Checked on every authenticated request, so lookups must be synchronous and in memory; the
 * database stays the source of truth and feeds it (at start-up and by polling), and a shared
 * store (Redis) can feed it later so that many instances agree.
 */
export interface RevocationList {
  isRevoked(sessionId: string): boolean;
  /** Remembers `sessionId` as ended until `until` (after which its access tokens have expired anyway). */
  add(sessionId: string, until: Date): void;
  /** Forgets entries whose access tokens have all expired. */
  prune(now?: number): void;
}

export const REVOCATION_LIST = Symbol('REVOCATION_LIST');

/** In-process revocation list: a Map of session id to the time it can be forgotten. */
export class MemoryRevocationList implements RevocationList {
  private readonly revoked = new Map<string, number>();

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  add(sessionId: string, until: Date): void {
    this.revoked.set(sessionId, Math.max(until.getTime(), this.revoked.get(sessionId) ?? 0));
  }

  /** Forgets entries whose access tokens have all expired. */
  prune(now = Date.now()): void {
    for (const [sessionId, until] of this.revoked) {
      if (until <= now) {
        this.revoked.delete(sessionId);
      }
    }
  }

  get size(): number {
    return this.revoked.size;
  }
}
