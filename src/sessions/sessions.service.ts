import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../common/request-context/actor.js';
import type { Env } from '../config/env.schema.js';
import { AuditLog, type ChangeEvent } from '../logging/audit.js';
import { Metrics, type RevocationReason } from '../metrics/metrics.js';
import { REFRESH_SUCCESSOR_KEY } from './refresh-successor-key.js';
import { REVOCATIONS, type Revocations } from './revocations.js';
import type { SessionEndReason, SessionEntity } from './session.entity.js';
import { SessionsRepository, type SessionsToEnd } from './sessions.repository.js';

/** A session's fresh refresh token, handed out once and stored only as a hash. */
export interface SessionGrant {
  userId: number;
  sessionId: string;
  refreshToken: string;
  /** The session's absolute end: no access token may outlive it. */
  expiresAt: Date;
}

export type RefreshRefusal = 'unknown' | 'ended' | 'expired' | 'replayed';

/** Thrown by rotate(): the refresh token buys nothing. `reason` is for logs, never for clients. */
export class RefreshRefusedError extends Error {
  constructor(readonly reason: RefreshRefusal) {
    super(`refresh refused: ${reason}`);
  }
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
/** How far along a session's chain a refresh within the grace follows tokens already spent. */
const MAX_CHAIN_HOPS = 8;
/** 256 random bits: a SHA-256 of it is as safe to store as a slow hash, and cheap to look up. */
const newRefreshToken = () => randomBytes(32).toString('base64url');

/**
 * Sessions: one per login, ended by logout, replay, password change, disabling, idleness or
 * age. Refresh tokens rotate on every use; a spent token presented again after the grace window
 * is taken as stolen and ends the whole session. Every session ended here is handed to
 * Revocations, which refuses its access tokens from then on.
 */
@Injectable()
export class SessionsService {
  private readonly idleMs: number;
  private readonly maxMs: number;
  private readonly graceMs: number;

  constructor(
    private readonly sessions: SessionsRepository,
    @Inject(REVOCATIONS) private readonly revocations: Revocations,
    config: ConfigService<Env, true>,
    private readonly metrics: Metrics,
    @Inject(REFRESH_SUCCESSOR_KEY) private readonly successorKey: Buffer,
    private readonly auditLog: AuditLog,
  ) {
    const durations = config.get('durations', { infer: true });
    this.idleMs = durations.sessionIdleMs;
    this.maxMs = durations.sessionMaxMs;
    this.graceMs = durations.refreshReuseGraceMs;
    // Counted at a scrape (cached there), not kept as a running total: sessions also end by idling
    // and by age, and other instances open and end them in the same database.
    metrics.watchActiveSessions(() => {
      const now = new Date();
      return this.sessions.countActive(now, new Date(now.getTime() - this.idleMs));
    });
  }

  /** Opens a session for a user who has just proved who they are, recording the actor's client. */
  async open(userId: number, actor: Actor): Promise<SessionGrant> {
    const now = new Date();
    const refreshToken = newRefreshToken();
    const session: SessionEntity = {
      id: randomUUID(),
      userId,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.maxMs),
      userAgent: actor.userAgent?.slice(0, 512) ?? null,
      ip: actor.ip?.slice(0, 64) ?? null,
      endedAt: null,
      endReason: null,
    };
    await this.sessions.create(session, hashToken(refreshToken));
    return { userId, sessionId: session.id, refreshToken, expiresAt: session.expiresAt };
  }

  /**
   * Spends a refresh token for the next one. Two tabs refreshing at once both present the same
   * token: within REFRESH_REUSE_GRACE seconds of its first use, the others get the same next
   * token as the first, so the session keeps one chain however many race (on any instance).
   * Later than that, a spent token is a replay.
   */
  async rotate(refreshToken: string, actor: Actor): Promise<SessionGrant> {
    const tokenHash = hashToken(refreshToken);
    const record = await this.sessions.findToken(tokenHash);
    if (record === null) {
      throw new RefreshRefusedError('unknown');
    }
    const session = await this.sessions.findById(record.sessionId);
    if (session === null || session.endedAt !== null) {
      throw new RefreshRefusedError('ended');
    }
    const now = new Date();
    if (session.expiresAt <= now || session.lastUsedAt.getTime() + this.idleMs <= now.getTime()) {
      await this.end(session.id, session.expiresAt <= now ? 'expired' : 'idle');
      throw new RefreshRefusedError('expired');
    }
    if (!(await this.sessions.spend(tokenHash, now))) {
      const spentAt = (await this.sessions.findToken(tokenHash))?.spentAt;
      if (spentAt === undefined || spentAt === null) {
        // The row is gone: the session ended (and its tokens were deleted) after it was read.
        throw new RefreshRefusedError('ended');
      }
      if (now.getTime() - spentAt.getTime() > this.graceMs) {
        await this.endRecorded({ id: session.id }, 'replay', actor, () => ({
          event: 'token.replayed',
          fields: { userId: session.userId, sessionId: session.id, action: 'session revoked' },
        }));
        throw new RefreshRefusedError('replayed');
      }
    }
    // Whoever spent it, and whichever of the racers stores it first, the next token is the same.
    const next = await this.liveSuccessorOf(refreshToken);
    if (!(await this.sessions.addToken(session.id, hashToken(next), now))) {
      throw new RefreshRefusedError('ended');
    }
    return {
      userId: session.userId,
      sessionId: session.id,
      refreshToken: next,
      expiresAt: session.expiresAt,
    };
  }

  /**
   * The one token that follows `spent`: an HMAC of it under a key derived from the service's
   * secret, so every instance computes the same one without storing it, and nobody without the
   * secret can compute it (256 bits, as unguessable as a random token).
   */
  private successorOf(spent: string): string {
    return createHmac('sha256', this.successorKey).update(spent).digest('base64url');
  }

  /**
   * The successor, or, if a faster tab has already spent that one too, the chain's end: a client
   * handed a spent token would be taken for a thief at its next refresh. Every token passed on the
   * way was spent after `spent`, so within the grace too.
   */
  private async liveSuccessorOf(spent: string): Promise<string> {
    let next = this.successorOf(spent);
    for (let hop = 0; hop < MAX_CHAIN_HOPS; hop += 1) {
      const stored = await this.sessions.findToken(hashToken(next));
      if (stored === null || stored.spentAt === null) {
        break;
      }
      next = this.successorOf(next);
    }
    return next;
  }

  /** The user's live sessions (not ended, not idle, not past their absolute end). */
  async listActive(userId: number): Promise<SessionEntity[]> {
    const now = new Date();
    const sessions = await this.sessions.listActive(userId, now);
    return sessions.filter((session) => session.lastUsedAt.getTime() + this.idleMs > now.getTime());
  }

  /**
   * Ends one session that is found past its end (expired, idle), or whose user is: a
   * consequence of a change already recorded, with no event of its own.
   */
  async end(sessionId: string, reason: SessionEndReason): Promise<void> {
    this.announceEnded(await this.sessions.end({ id: sessionId }, reason, new Date()), reason);
  }

  /**
   * Ends the live sessions `which` names and records the event `event` makes of how many ended
   * (none when it returns undefined), in one transaction: both commit or neither does. Every
   * instance hears of the ended sessions once they have committed. Returns how many ended.
   */
  async endRecorded(
    which: SessionsToEnd,
    reason: SessionEndReason,
    actor: Actor,
    event: ChangeEvent<{ sessions: number }>,
  ): Promise<number> {
    const ended = await this.auditLog.change(actor, async (transaction, record) => {
      const ids = await this.endIn(transaction, which, reason);
      await record(event({ sessions: ids.length }));
      return ids;
    });
    this.announceEnded(ended, reason);
    return ended.length;
  }

  /**
   * Ends the live sessions `which` names inside the caller's transaction, for a change that must
   * commit with them. Nothing is announced: once the transaction has committed, the caller hands
   * the ids returned to announceEnded().
   */
  endIn(transaction: EntityManager, which: SessionsToEnd, reason: SessionEndReason): Promise<string[]> {
    return this.sessions.end(which, reason, new Date(), transaction);
  }

  /** Tells every instance (revocations) and the metrics of sessions whose end has committed. */
  announceEnded(ended: readonly string[], reason: SessionEndReason): void {
    this.revocations.revoked(ended);
    this.metrics.revoked(reasonLabel(reason), ended.length);
  }
}

/** The label is the stored reason itself: this fails to compile if one is added without a label. */
const reasonLabel = (reason: SessionEndReason): RevocationReason => reason;
