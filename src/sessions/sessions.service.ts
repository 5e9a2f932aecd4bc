import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.schema.js';
import { audit } from '../logging/audit.js';
import { REVOCATION_LIST, type RevocationList } from './revocation-list.js';
import type { SessionEndReason, SessionEntity } from './session.entity.js';
import { SessionsRepository } from './sessions.repository.js';

/** Who is logging in from where, as recorded on the session. */
export interface ClientInfo {
  userAgent?: string;
  ip?: string;
  /** The request's id, for log lines; not recorded on the session. */
  requestId?: string;
}

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
/** 256 random bits: a SHA-256 of it is as safe to store as a slow hash, and cheap to look up. */
const newRefreshToken = () => randomBytes(32).toString('base64url');

/**
 * Sessions: one per login, ended by logout, replay, password change, disabling, idleness or
 * age. Refresh tokens rotate on every use; a spent token presented again after the grace window
 * is taken as stolen and ends the whole session. Ended sessions are mirrored into an in-memory
 * revocation list so that access tokens are refused without a query per request.
 */
@Injectable()
export class SessionsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SessionsService.name);
  private readonly idleMs: number;
  private readonly maxMs: number;
  private readonly graceMs: number;
  /** How long an ended session stays on the revocation list: until its last access token expires. */
  private readonly revokeForMs: number;
  private readonly pollMs: number;
  private poller?: NodeJS.Timeout;
  private polledUntil = new Date(0);

  constructor(
    private readonly sessions: SessionsRepository,
    @Inject(REVOCATION_LIST) private readonly revocations: RevocationList,
    config: ConfigService<Env, true>,
  ) {
    this.idleMs = config.get('SESSION_IDLE_TTL', { infer: true }) * 1000;
    this.maxMs = config.get('SESSION_MAX_TTL', { infer: true }) * 1000;
    this.graceMs = config.get('REFRESH_REUSE_GRACE', { infer: true }) * 1000;
    this.revokeForMs =
      (config.get('ACCESS_TOKEN_TTL', { infer: true }) + config.get('JWT_CLOCK_TOLERANCE', { infer: true })) *
      1000;
    this.pollMs = config.get('REVOCATION_POLL_INTERVAL', { infer: true }) * 1000;
  }

  async onModuleInit(): Promise<void> {
    await this.syncRevocations(new Date(Date.now() - this.revokeForMs));
    // Sessions ended by another process (the operators' CLI, another instance) reach this one
    // within one interval: one small query per interval, none per request.
    this.poller = setInterval(() => {
      this.syncRevocations(new Date(this.polledUntil.getTime() - this.pollMs)).catch((error: unknown) =>
        this.logger.error(`revocation sync failed: ${String(error)}`),
      );
    }, this.pollMs).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.poller);
  }

  isRevoked(sessionId: string): boolean {
    return this.revocations.isRevoked(sessionId);
  }

  async open(userId: number, client: ClientInfo): Promise<SessionGrant> {
    const now = new Date();
    const refreshToken = newRefreshToken();
    const session: SessionEntity = {
      id: randomUUID(),
      userId,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(now.getTime() + this.maxMs),
      userAgent: client.userAgent?.slice(0, 512) ?? null,
      ip: client.ip?.slice(0, 64) ?? null,
      endedAt: null,
      endReason: null,
    };
    await this.sessions.create(session, hashToken(refreshToken));
    return { userId, sessionId: session.id, refreshToken, expiresAt: session.expiresAt };
  }

  /**
   * Spends a refresh token for a new one. Two tabs refreshing at once both present the same
   * token: the second, within REFRESH_REUSE_GRACE seconds of the first, gets a token of its own
   * instead of ending the session. Later than that, a spent token is a replay.
   */
  async rotate(refreshToken: string, requestId?: string): Promise<SessionGrant> {
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
        await this.end(session.id, 'replay');
        audit('token.replayed', requestId, {
          userId: session.userId,
          sessionId: session.id,
          action: 'session revoked',
        });
        throw new RefreshRefusedError('replayed');
      }
    }
    const next = newRefreshToken();
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

  /** The user's live sessions (not ended, not idle, not past their absolute end). */
  async listActive(userId: number): Promise<SessionEntity[]> {
    const now = new Date();
    const sessions = await this.sessions.listActive(userId, now);
    return sessions.filter((session) => session.lastUsedAt.getTime() + this.idleMs > now.getTime());
  }

  /** Ends one session if it is the user's; false when there is no such live session of theirs. */
  async endOwn(userId: number, sessionId: string, reason: SessionEndReason): Promise<boolean> {
    const session = await this.sessions.findById(sessionId);
    if (session === null || session.userId !== userId || session.endedAt !== null) {
      return false;
    }
    await this.end(sessionId, reason);
    return true;
  }

  async end(sessionId: string, reason: SessionEndReason): Promise<void> {
    this.revoke(await this.sessions.end({ id: sessionId }, reason, new Date()));
  }

  /** Ends every live session of a user, but `exceptSessionId` if given; returns how many. */
  async endAllOf(userId: number, reason: SessionEndReason, exceptSessionId?: string): Promise<number> {
    const ended = await this.sessions.end({ userId, exceptId: exceptSessionId }, reason, new Date());
    this.revoke(ended);
    return ended.length;
  }

  private revoke(sessionIds: string[]): void {
    const until = new Date(Date.now() + this.revokeForMs);
    for (const id of sessionIds) {
      this.revocations.add(id, until);
    }
  }

  private async syncRevocations(since: Date): Promise<void> {
    const startedAt = new Date();
    for (const { id, endedAt } of await this.sessions.endedSince(since)) {
      this.revocations.add(id, new Date(endedAt.getTime() + this.revokeForMs));
    }
    this.revocations.prune();
    this.polledUntil = startedAt;
  }
}
