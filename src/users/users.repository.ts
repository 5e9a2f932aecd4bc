import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import { nameSkeleton } from '../common/validation/account-name.js';
import { nameKey } from '../common/validation/name-key.js';
import { NameTakenError } from './name-taken.error.js';
import { UserEntity } from './user.entity.js';

const holdsNul = (text: string) => text.includes('\u0000');

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

  findAll(): Promise<UserEntity[]> {
    return this.users.find({ order: { id: 'ASC' } });
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
  async create(name: string, passwordHash: string): Promise<UserEntity> {
    try {
      return await this.users.save(
        this.users.create({ name, nameKey: nameKey(name), nameSkeleton: nameSkeleton(name), passwordHash }),
      );
    } catch (error) {
      throw nameConflict(error) ?? error;
    }
  }

  /** Renames a user; false when there is no such user, NameTakenError when the name is taken. */
  async rename(id: number, name: string): Promise<boolean> {
    try {
      const result = await this.users.update(
        { id },
        { name, nameKey: nameKey(name), nameSkeleton: nameSkeleton(name) },
      );
      return (result.affected ?? 0) > 0;
    } catch (error) {
      throw nameConflict(error) ?? error;
    }
  }

  async updatePasswordHash(id: number, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash });
  }

  async setDisabled(id: number, disabled: boolean): Promise<boolean> {
    const result = await this.users.update({ id }, { disabled });
    return (result.affected ?? 0) > 0;
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
