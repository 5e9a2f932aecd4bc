import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type EntityManager, type Repository } from 'typeorm';
import type { Role } from '../common/request-context/role.js';
import { nameSkeleton } from '../common/validation/account-name.js';
import { emailKey } from '../common/validation/email-address.js';
import { nameKey } from '../common/validation/name-key.js';
import { EmailTakenError } from './users.errors.js';
import { NameTakenError } from './name-taken.error.js';
import { UserEntity } from './user.entity.js';

const holdsNul = (text: string) => text.includes('\u0000');

/** One page of a listing by id, and whether more follow it. */
export interface UserPage<T> {
  items: T[];
  more: boolean;
}

/** LIKE's wildcards and its escape character, taken literally (ESCAPE '\\' on both databases). */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/** Persistence of users. The rest of the code never sees TypeORM or SQL. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findById(id: number): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByName(name: string): Promise<UserEntity | null> {
    // PostgreSQL text cannot hold NUL (it refuses the query: a 500), so no account has it.
    return holdsNul(name) ? Promise.resolve(null) : this.users.findOneBy({ nameKey: nameKey(name) });
  }

  count(): Promise<number> {
    return this.users.count();
  }

  /** The account whose name looks like `name` (the same nameSkeleton), if any. */
  findLookAlike(name: string): Promise<UserEntity | null> {
    return holdsNul(name)
      ? Promise.resolve(null)
      : this.users.findOneBy({ nameSkeleton: nameSkeleton(name) });
  }

  /** Creates a user; throws NameTakenError when the name, or a look-alike, is taken. */
  async create(
    name: string,
    passwordHash: string,
    roles: Role[],
    transaction: EntityManager,
  ): Promise<UserEntity> {
    const users = transaction.getRepository(UserEntity);
    try {
      return await users.save(
        users.create({
          name,
          nameKey: nameKey(name),
          nameSkeleton: nameSkeleton(name),
          passwordHash,
          roles,
          lastLoginAt: null,
        }),
      );
    } catch (error) {
      throw nameConflict(error) ?? error;
    }
  }

  /** Renames a user; false when there is no such user, NameTakenError when the name is taken. */
  async rename(id: number, name: string, transaction: EntityManager): Promise<boolean> {
    try {
      const result = await transaction
        .getRepository(UserEntity)
        .update({ id }, { name, nameKey: nameKey(name), nameSkeleton: nameSkeleton(name) });
      return (result.affected ?? 0) > 0;
    } catch (error) {
      throw nameConflict(error) ?? error;
    }
  }

  /** Stores a new hash: in the caller's transaction for a change, alone for a rehash at login. */
  async updatePasswordHash(id: number, passwordHash: string, transaction?: EntityManager): Promise<boolean> {
    const users = transaction?.getRepository(UserEntity) ?? this.users;
    const result = await users.update({ id }, { passwordHash });
    return (result.affected ?? 0) > 0;
  }

  /** Writes the given fields of one account in one statement (all or none); false for no such user. */
  async update(
    id: number,
    change: { disabled?: boolean; roles?: Role[] },
    transaction: EntityManager,
  ): Promise<boolean> {
    const users = transaction.getRepository(UserEntity);
    const fields = Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
    if (Object.keys(fields).length === 0) {
      return (await users.existsBy({ id })) === true;
    }
    const result = await users.update({ id }, fields);
    return (result.affected ?? 0) > 0;
  }

  /**
   * Gives an account an address, unverified, and drops a pending one: `null` for no such user,
   * `'unverified'`, or `'kept'` when it is the address the account has verified already (as typed
   * now, still verified: setting it again proves nothing new). `null` removes it.
   */
  async setEmail(
    id: number,
    email: string | null,
    transaction: EntityManager,
  ): Promise<'unverified' | 'kept' | null> {
    const users = transaction.getRepository(UserEntity);
    const current = await users.findOneBy({ id });
    if (current === null) {
      return null;
    }
    const same = email !== null && current.emailKey !== null && current.emailKey === emailKey(email);
    await users.update(
      { id },
      same
        ? { email, emailPending: null }
        : { email, emailKey: null, emailVerifiedAt: null, emailPending: null },
    );
    return same ? 'kept' : 'unverified';
  }

  /** The address the user asked to change to, awaiting its link (null: none); false for no such user. */
  async setPendingEmail(id: number, email: string | null, transaction: EntityManager): Promise<boolean> {
    const result = await transaction.getRepository(UserEntity).update({ id }, { emailPending: email });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Marks the account's address verified if it is still `email` (a link to an address since
   * replaced verifies nothing): false otherwise. Throws EmailTakenError when another account has
   * verified the same address first (the unique key decides).
   */
  markEmailVerified(id: number, email: string, at: Date, transaction: EntityManager): Promise<boolean> {
    return this.verifyWhere(transaction, { id, email }, { emailKey: emailKey(email), emailVerifiedAt: at });
  }

  /**
   * Makes the pending address the account's, verified, if it is still `email`: false otherwise.
   * Throws EmailTakenError when another account has verified it meanwhile.
   */
  confirmPendingEmail(id: number, email: string, at: Date, transaction: EntityManager): Promise<boolean> {
    return this.verifyWhere(
      transaction,
      { id, emailPending: email },
      { email, emailKey: emailKey(email), emailVerifiedAt: at, emailPending: null },
    );
  }

  private async verifyWhere(
    transaction: EntityManager,
    where: { id: number; email?: string; emailPending?: string },
    change: Partial<UserEntity>,
  ): Promise<boolean> {
    try {
      const result = await transaction.getRepository(UserEntity).update(where, change);
      return (result.affected ?? 0) > 0;
    } catch (error) {
      if (error instanceof QueryFailedError && /unique|duplicate/i.test(error.message)) {
        throw new EmailTakenError();
      }
      throw error;
    }
  }

  /** An account read in the caller's transaction (what a change is about to replace). */
  findByIdIn(id: number, transaction: EntityManager): Promise<UserEntity | null> {
    return transaction.getRepository(UserEntity).findOneBy({ id });
  }

  /** The account whose VERIFIED address is `email` (case-insensitively), if any. */
  findByVerifiedEmail(email: string): Promise<UserEntity | null> {
    return holdsNul(email) ? Promise.resolve(null) : this.users.findOneBy({ emailKey: emailKey(email) });
  }

  async recordLogin(id: number, at: Date): Promise<void> {
    // Not through update(): that would bump updated_at, which says when the account was changed.
    await this.users
      .createQueryBuilder()
      .update()
      .set({ lastLoginAt: at, updatedAt: () => 'updated_at' })
      .where('id = :id', { id })
      .execute();
  }

  async delete(id: number, transaction: EntityManager): Promise<boolean> {
    const result = await transaction.getRepository(UserEntity).delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /** Enabled accounts holding `admin` (roles is a comma-separated set: matched as a whole item). */
  countEnabledAdmins(): Promise<number> {
    return this.users
      .createQueryBuilder('account')
      .where('account.disabled = :disabled', { disabled: false })
      .andWhere("(',' || account.roles || ',') LIKE :admin", { admin: '%,admin,%' })
      .getCount();
  }

  /** Accounts after `afterId` by id, at most `limit`, whose folded name starts with `search`'s. */
  async page({
    search,
    limit,
    afterId,
  }: {
    search?: string;
    limit: number;
    afterId?: number;
  }): Promise<UserPage<UserEntity>> {
    const query = this.users
      .createQueryBuilder('account')
      .orderBy('account.id', 'ASC')
      .take(limit + 1);
    if (afterId !== undefined) {
      query.andWhere('account.id > :afterId', { afterId });
    }
    if (search !== undefined && search !== '') {
      if (holdsNul(search)) {
        return { items: [], more: false };
      }
      query.andWhere("account.nameKey LIKE :prefix ESCAPE '\\'", {
        prefix: `${likeLiteral(nameKey(search))}%`,
      });
    }
    const rows = await query.getMany();
    return { items: rows.slice(0, limit), more: rows.length > limit };
  }
}

/**
 * The NameTakenError a failed insert or update stands for: the unique index of the folded name
 * (SQLite and PostgreSQL both name the column or index in the message), or of the skeleton.
 */
function nameConflict(error: unknown): NameTakenError | undefined {
  if (!(error instanceof QueryFailedError) || !/unique|duplicate/i.test(error.message)) {
    return undefined;
  }
  return new NameTakenError(/skeleton/i.test(error.message) ? 'look-alike' : 'taken');
}
