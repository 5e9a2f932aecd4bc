import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import { nameKey } from '../common/validation/name-key.js';
import { NameTakenError } from './name-taken.error.js';
import { UserEntity } from './user.entity.js';

/** Persistence of users. The rest of the code never sees TypeORM or SQL. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  findById(id: number): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByName(name: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ nameKey: nameKey(name) });
  }

  findAll(): Promise<UserEntity[]> {
    return this.users.find({ order: { id: 'ASC' } });
  }

  count(): Promise<number> {
    return this.users.count();
  }

  /** Creates a user; throws NameTakenError when the name (case-folded) is taken. */
  async create(name: string, passwordHash: string): Promise<UserEntity> {
    try {
      return await this.users.save(this.users.create({ name, nameKey: nameKey(name), passwordHash }));
    } catch (error) {
      if (error instanceof QueryFailedError && /unique/i.test(error.message)) {
        throw new NameTakenError();
      }
      throw error;
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
