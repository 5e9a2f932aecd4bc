/**
 * How this process knows which sessions have ended, so that their access tokens are refused
 * without a query per request. The database is the source of truth; an implementation keeps an
 * in-memory copy current (PolledRevocations polls it) and is the seam where a fan-out to other
 * instances (Redis pub/sub) plugs in.
 */
export interface Revocations {
  /** Whether the session has ended: synchronous and in memory, asked on every authenticated request. */
  isRevoked(sessionId: string): boolean;
  /** Sessions this process has just ended in the database: refused here at once, and everywhere soon. */
  revoked(sessionIds: readonly string[]): void;
}

export const REVOCATIONS = Symbol('REVOCATIONS');
