import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LRUCache } from 'lru-cache';
import type { Env } from '../config/env.schema.js';
import { PasswordHasher } from './password-hasher.service.js';
import { toUserProfile, type UserProfile } from './user-profile.js';
import { UsersRepository } from './users.repository.js';

/** Accounts: credential checks, the "still active?" lookup behind every token, creation. */
@Injectable()
export class UsersService {
  /**
   * Active users by id, `false` for ids that are gone or disabled. Every authenticated request
   * asks this, so a warm cache answers without a query; entries expire after USER_CACHE_TTL so
   * a change made outside this process (another instance, the database itself) is seen soon.
   * Changes made through this service update it at once.
   */
  private readonly activeUsers: LRUCache<number, UserProfile | false>;

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    config: ConfigService<Env, true>,
  ) {
    this.activeUsers = new LRUCache({
      max: 10_000,
      ttl: config.get('USER_CACHE_TTL', { infer: true }) * 1000,
      fetchMethod: async (id) => {
        const user = await this.users.findById(id);
        return user !== null && !user.disabled ? toUserProfile(user) : false;
      },
    });
  }

  /**
   * The account a name and password belong to, or null. Unknown names, wrong passwords and
   * disabled accounts take the same path and the same hashing work, so neither the answer nor
   * its timing tells them apart.
   */
  async verifyCredentials(name: string, password: string): Promise<UserProfile | null> {
    const user = await this.users.findByName(name);
    const matches = await this.hasher.verify(user?.passwordHash, password);
    if (!matches || user === null || user.disabled) {
      return null;
    }
    if (this.hasher.needsRehash(user.passwordHash)) {
      await this.users.updatePasswordHash(user.id, await this.hasher.hash(password));
    }
    return toUserProfile(user);
  }

  /** The user a verified token names, if it still exists and is enabled. */
  async findActive(id: number): Promise<UserProfile | null> {
    const user = this.activeUsers.get(id) ?? (await this.activeUsers.fetch(id));
    return user || null;
  }

  async create(name: string, password: string): Promise<UserProfile> {
    if ((await this.users.findByName(name)) !== null) {
      throw new ConflictException(`user name is already taken`);
    }
    const user = toUserProfile(await this.users.create(name, await this.hasher.hash(password)));
    this.activeUsers.set(user.id, user);
    return user;
  }

  /** Disables or re-enables an account; a disabled account's tokens are refused from now on. */
  async setDisabled(id: number, disabled: boolean): Promise<void> {
    if (!(await this.users.setDisabled(id, disabled))) {
      throw new NotFoundException('user not found');
    }
    this.activeUsers.delete(id);
  }

  count(): Promise<number> {
    return this.users.count();
  }
}
