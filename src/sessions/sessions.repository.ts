import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, MoreThan, MoreThanOrEqual, Not, type EntityManager, type Repository } from 'typeorm';
import { SerialTransactions } from '../database/serial-transactions.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { SessionEntity, type SessionEndReason } from './session.entity.js';

/**
 * Which live sessions to end: one by id (only if it is `userId`'s, when given), or every one of a
 * user's but the one `keep` names (the caller's own, when a user acts on their own account).
 */
export type SessionsToEnd = { id: string; userId?: number } | { userId: number; keep?: string };

/** Persistence of sessions and refresh-token hashes. */
@Injectable()
export class SessionsRepository {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(RefreshTokenEntity) private readonly tokens: Repository<RefreshTokenEntity>,
    private readonly transactions: SerialTransactions,
  ) {}

  async create(session: SessionEntity, tokenHash: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      await manager.insert(SessionEntity, session);
      await manager.insert(RefreshTokenEntity, {
        tokenHash,
        sessionId: session.id,
        createdAt: session.createdAt,
        spentAt: null,
      });
    });
  }

  findById(id: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ id });
  }

  findToken(tokenHash: string): Promise<RefreshTokenEntity | null> {
    return this.tokens.findOneBy({ tokenHash });
  }

  /** Marks a refresh token spent; false when it already was (a concurrent or repeated use). */
  async spend(tokenHash: string, at: Date): Promise<boolean> {
    const result = await this.tokens.update({ tokenHash, spentAt: IsNull() }, { spentAt: at });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Stores a session's next refresh token (unless it is stored already: refreshes racing within
   * the reuse grace all store the same one) and marks the session used, unless the session has
   * ended meanwhile (a logout racing a refresh): then nothing is stored and false is returned.
   */
  async addToken(sessionId: string, tokenHash: string, at: Date): Promise<boolean> {
    return this.transactions.run(async (manager) => {
      const live = await manager.update(
        SessionEntity,
        { id: sessionId, endedAt: IsNull() },
        { lastUsedAt: at },
      );
      if ((live.affected ?? 0) === 0) {
        return false;
      }
      // INSERT OR IGNORE (SQLite), ON CONFLICT DO NOTHING (PostgreSQL): a racer's insert waits
      // for the first one's transaction, then leaves its row (spent or not) as it is.
      await manager
        .createQueryBuilder()
        .insert()
        .into(RefreshTokenEntity)
        .values({ tokenHash, sessionId, createdAt: at, spentAt: null })
        .orIgnore()
        .execute();
      return true;
    });
  }

  /** Live sessions of a user, newest first. */
  listActive(userId: number, now: Date): Promise<SessionEntity[]> {
    return this.sessions.find({
      where: { userId, endedAt: IsNull(), expiresAt: MoreThan(now) },
      order: { createdAt: 'DESC' },
    });
  }

  /** Ends the live sessions `which` names (SessionsToEnd); returns the ids ended. */
  async end(
    which: SessionsToEnd,
    reason: SessionEndReason,
    at: Date,
    transaction?: EntityManager,
  ): Promise<string[]> {
    const sessions = transaction?.getRepository(SessionEntity) ?? this.sessions;
    const tokens = transaction?.getRepository(RefreshTokenEntity) ?? this.tokens;
    const filter =
      'id' in which
        ? { id: which.id, endedAt: IsNull(), ...(which.userId === undefined ? {} : { userId: which.userId }) }
        : { userId: which.userId, endedAt: IsNull(), ...(which.keep ? { id: Not(which.keep) } : {}) };
    const ended = await sessions.find({ select: { id: true }, where: filter });
    if (ended.length > 0) {
      await sessions.update(filter, { endedAt: at, endReason: reason });
      // Their refresh tokens can never be used again: drop the hashes.
      await tokens.delete(ended.map(({ id }) => ({ sessionId: id })));
    }
    return ended.map(({ id }) => id);
  }

  /**
   * Live sessions of every user: not ended, before their absolute end, used after `usedAfter`
   * (the idle limit). One COUNT, for auth_active_sessions; ended_at is indexed.
   */
  countActive(now: Date, usedAfter: Date): Promise<number> {
    return this.sessions.countBy({
      endedAt: IsNull(),
      expiresAt: MoreThan(now),
      lastUsedAt: MoreThan(usedAfter),
    });
  }

  /** Sessions ended at or after `since`: what the revocation list must hold. */
  async endedSince(since: Date): Promise<{ id: string; endedAt: Date }[]> {
    const rows = await this.sessions.find({
      select: { id: true, endedAt: true },
      where: { endedAt: MoreThanOrEqual(since) },
    });
    return rows.map(({ id, endedAt }) => ({ id, endedAt: endedAt! }));
  }
}
