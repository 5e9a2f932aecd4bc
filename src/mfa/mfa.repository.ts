import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  IsNull,
  LessThan,
  LessThanOrEqual,
  MoreThan,
  MoreThanOrEqual,
  Not,
  Repository,
  type EntityManager,
} from 'typeorm';
import { SerialTransactions } from '../database/serial-transactions.js';
import { MfaChallengeEntity } from './mfa-challenge.entity.js';
import { RecoveryCodeEntity } from './recovery-code.entity.js';
import { TotpCredentialEntity } from './totp-credential.entity.js';

/**
 * Second factors in the database. Every "spend" (a time step, a recovery code, an mfaToken) is
 * one conditional write whose affected count decides, so two instances cannot both spend it.
 */
@Injectable()
export class MfaRepository {
  constructor(
    @InjectRepository(TotpCredentialEntity) private readonly totp: Repository<TotpCredentialEntity>,
    @InjectRepository(RecoveryCodeEntity) private readonly codes: Repository<RecoveryCodeEntity>,
    @InjectRepository(MfaChallengeEntity) private readonly challenges: Repository<MfaChallengeEntity>,
    private readonly transactions: SerialTransactions,
  ) {}

  findTotp(userId: number): Promise<TotpCredentialEntity | null> {
    return this.totp.findOneBy({ userId });
  }

  async hasActiveTotp(userId: number): Promise<boolean> {
    return (await this.totp.countBy({ userId, confirmedAt: Not(IsNull()) })) > 0;
  }

  /** A new pending secret, replacing a pending one; false when an active one exists. */
  async startTotp(userId: number, secretSealed: string, at: Date): Promise<boolean> {
    return this.transactions.run(async (manager) => {
      const existing = await manager.findOneBy(TotpCredentialEntity, { userId });
      if (existing !== null && existing.confirmedAt !== null) {
        return false;
      }
      await manager.delete(TotpCredentialEntity, { userId });
      await manager.insert(TotpCredentialEntity, {
        userId,
        secretSealed,
        createdAt: at,
        confirmedAt: null,
        lastStep: null,
        failedAttempts: 0,
      });
      return true;
    });
  }

  /**
   * Activates the pending secret `pendingSealed` (still the one pending: not replaced meanwhile),
   * stored from now on as `activeSealed`, at `step` (spent) with fresh recovery codes; false if
   * it is no longer pending.
   */
  async confirmTotp(
    userId: number,
    pendingSealed: string,
    activeSealed: string,
    step: number,
    codeHashes: string[],
    at: Date,
    transaction: EntityManager,
  ): Promise<boolean> {
    const result = await transaction.update(
      TotpCredentialEntity,
      { userId, confirmedAt: IsNull(), secretSealed: pendingSealed },
      { secretSealed: activeSealed, confirmedAt: at, lastStep: step },
    );
    if ((result.affected ?? 0) === 0) {
      return false;
    }
    await transaction.delete(RecoveryCodeEntity, { userId });
    await transaction.insert(
      RecoveryCodeEntity,
      codeHashes.map((codeHash) => ({ userId, codeHash, usedAt: null })),
    );
    return true;
  }

  /**
   * Spends time step `step` of an active secret, if no later or equal one was spent and the
   * account's failed attempts are below `failureLimit`: checked in the same UPDATE, so a right
   * code racing the failure that locks the account is refused too.
   */
  async spendStep(
    userId: number,
    step: number,
    lastStep: number | null,
    failureLimit: number,
  ): Promise<boolean> {
    const result = await this.totp.update(
      {
        userId,
        confirmedAt: Not(IsNull()),
        lastStep: lastStep === null ? IsNull() : LessThan(step),
        failedAttempts: LessThan(failureLimit),
      },
      { lastStep: step },
    );
    return (result.affected ?? 0) > 0;
  }

  /**
   * Counts a failed second factor of an active secret and returns the count it leaves (null
   * without one). One `SET failed_attempts = failed_attempts + 1` read back in the same
   * transaction (the row stays locked until it ends on PostgreSQL; SQLite's are serialized): concurrent
   * failures all count, and exactly one of them sees each value, the limit included.
   */
  async recordFailure(userId: number): Promise<number | null> {
    return this.transactions.run(async (manager) => {
      const result = await manager.increment(
        TotpCredentialEntity,
        { userId, confirmedAt: Not(IsNull()) },
        'failedAttempts',
        1,
      );
      if ((result.affected ?? 0) === 0) {
        return null;
      }
      const row = await manager.findOneBy(TotpCredentialEntity, { userId });
      return row?.failedAttempts ?? null;
    });
  }

  /** A second factor succeeded: the failed attempts start again from 0. */
  async clearFailures(userId: number): Promise<void> {
    await this.totp.update({ userId, failedAttempts: MoreThan(0) }, { failedAttempts: 0 });
  }

  async spendRecoveryCode(userId: number, codeHash: string, at: Date): Promise<boolean> {
    const result = await this.codes.update({ userId, codeHash, usedAt: IsNull() }, { usedAt: at });
    return (result.affected ?? 0) > 0;
  }

  /** Removes the second factor and its codes and pending logins; false when there was none. */
  async removeTotp(userId: number, transaction: EntityManager): Promise<boolean> {
    const result = await transaction.delete(TotpCredentialEntity, { userId });
    await transaction.delete(RecoveryCodeEntity, { userId });
    await transaction.delete(MfaChallengeEntity, { userId });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Stores a new challenge and deletes the expired ones: on each issue rather than only on a
   * completed login, so that passwords never followed by a code do not pile up. One indexed
   * DELETE (expires_at), usually of nothing.
   */
  async addChallenge(tokenHash: string, userId: number, expiresAt: Date, now: Date): Promise<void> {
    await this.challenges.delete({ expiresAt: LessThanOrEqual(now) });
    await this.challenges.insert({ tokenHash, userId, expiresAt, failures: 0 });
  }

  /**
   * Counts a wrong code against a challenge and deletes it at `maxFailures`: true while it can
   * still be used. The increment is one UPDATE, so concurrent wrong codes all count.
   */
  async recordChallengeFailure(tokenHash: string, maxFailures: number): Promise<boolean> {
    await this.challenges.increment({ tokenHash }, 'failures', 1);
    const spent = await this.challenges.delete({ tokenHash, failures: MoreThanOrEqual(maxFailures) });
    return (spent.affected ?? 0) === 0;
  }

  async countRecoveryCodesLeft(userId: number): Promise<number> {
    return this.codes.countBy({ userId, usedAt: IsNull() });
  }

  /** The user of a live challenge, without spending it. */
  async findChallenge(tokenHash: string, now: Date): Promise<number | null> {
    const challenge = await this.challenges.findOneBy({ tokenHash, expiresAt: MoreThan(now) });
    return challenge?.userId ?? null;
  }

  /** Spends a live challenge: true for the one caller that deletes it. Expired ones go too. */
  async spendChallenge(tokenHash: string, now: Date): Promise<boolean> {
    const result = await this.challenges.delete({ tokenHash, expiresAt: MoreThan(now) });
    await this.challenges.delete({ expiresAt: LessThanOrEqual(now) });
    return (result.affected ?? 0) > 0;
  }
}
