import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, LessThanOrEqual, QueryFailedError, type EntityManager, type Repository } from 'typeorm';
import { ConflictError } from '../common/errors/domain-error.js';
import { PasskeyChallengeEntity } from './passkey-challenge.entity.js';
import { PasskeyEntity } from './passkey.entity.js';

/** Thrown when a credential id is already registered (to this user or another): 409. */
export class CredentialTakenError extends ConflictError {
  override readonly code = 'passkey_taken';

  constructor() {
    super('this passkey is registered already');
  }
}

/**
 * Passkeys and their pending challenges in the database. Spending a challenge and moving a
 * counter forward are each one conditional write whose affected count decides, so two instances
 * cannot both use the same challenge or the same signature.
 */
@Injectable()
export class PasskeysRepository {
  constructor(
    @InjectRepository(PasskeyEntity) private readonly passkeys: Repository<PasskeyEntity>,
    @InjectRepository(PasskeyChallengeEntity)
    private readonly challenges: Repository<PasskeyChallengeEntity>,
  ) {}

  listOf(userId: number): Promise<PasskeyEntity[]> {
    return this.passkeys.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  findByCredentialId(credentialId: string): Promise<PasskeyEntity | null> {
    return this.passkeys.findOneBy({ credentialId });
  }

  /** Throws CredentialTakenError when the credential id is registered already. */
  async add(passkey: PasskeyEntity, transaction: EntityManager): Promise<void> {
    const passkeys = transaction.getRepository(PasskeyEntity);
    if ((await passkeys.countBy({ credentialId: passkey.credentialId })) > 0) {
      throw new CredentialTakenError();
    }
    try {
      await passkeys.insert(passkey);
    } catch (error) {
      // The unique index on credential_id (the id is a fresh UUID), when another request
      // registered it between the count and the insert. Told by the error: on PostgreSQL the
      // failed INSERT has ended the transaction, so nothing more can be asked through it.
      if (error instanceof QueryFailedError && /unique|duplicate/i.test(error.message)) {
        throw new CredentialTakenError();
      }
      throw error;
    }
  }

  /** Removes one of the user's passkeys; false when the user has none of that id. */
  async remove(userId: number, id: string, transaction: EntityManager): Promise<boolean> {
    const result = await transaction.delete(PasskeyEntity, { id, userId });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Records a verified sign-in: the counter moves to `counter` if it is higher than the stored one
   * (or stays 0 for an authenticator that counts nothing). False when it would not move forward,
   * also when another sign-in moved it meanwhile.
   */
  async recordUse(id: string, counter: number, at: Date): Promise<boolean> {
    const result = await this.passkeys.update(
      counter === 0 ? { id, counter: 0 } : { id, counter: LessThan(counter) },
      { counter, lastUsedAt: at },
    );
    return (result.affected ?? 0) > 0;
  }

  async addChallenge(challenge: PasskeyChallengeEntity): Promise<void> {
    await this.challenges.insert(challenge);
  }

  /**
   * Spends a challenge: the row for the one caller whose DELETE removes it, else null (unknown,
   * or spent by another request). Expired ones are returned too (the caller refuses them), and
   * every expired challenge is pruned on the way.
   */
  async spendChallenge(idHash: string, now: Date): Promise<PasskeyChallengeEntity | null> {
    const challenge = await this.challenges.findOneBy({ idHash });
    const result = challenge === null ? undefined : await this.challenges.delete({ idHash });
    await this.challenges.delete({ expiresAt: LessThanOrEqual(now) });
    return challenge !== null && (result?.affected ?? 0) > 0 ? challenge : null;
  }
}
