import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LRUCache } from 'lru-cache';
import { OPERATOR, type Actor } from '../common/request-context/actor.js';
import type { Env } from '../config/env.schema.js';
import { audit } from '../logging/audit.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { NameTakenError } from './name-taken.error.js';
import { PasswordHasher } from './password-hasher.service.js';
import { toUserProfile, toUserSummary, type UserProfile, type UserSummary } from './user-profile.js';
import { UsersRepository } from './users.repository.js';

/** Accounts: credential checks, the "still active?" lookup behind every token, creation. */
@Injectable()
export class UsersService {
  /**
   * Active users by id. Every authenticated request
   * asks this, so a warm cache answers without a query; entries expire after USER_CACHE_TTL so
   * a change made outside this process (another instance, the database itself) is seen soon.
   * Changes made through this service update it at once.
   */
  private readonly activeUsers: LRUCache<number, UserProfile>;

  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    config: ConfigService<Env, true>,
  ) {
    this.activeUsers = new LRUCache({
      max: 10_000,
      ttl: config.get('durations', { infer: true }).userCacheMs,
      // Only active users are cached: an id that is gone or disabled is looked up again next
      // time, so re-enabling a user (even from another process) takes effect at once. Tokens of
      // disabled users rarely get this far: disabling ends their sessions (revocation list).
      fetchMethod: async (id) => {
        const user = await this.users.findById(id);
        return user !== null && !user.disabled ? toUserProfile(user) : undefined;
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
    return this.activeUsers.get(id) ?? (await this.activeUsers.fetch(id)) ?? null;
  }

  /** Creates an account; throws NameTakenError when the name (case-insensitively) is taken. */
  async create(name: string, password: string): Promise<UserProfile> {
    if ((await this.users.findByName(name)) !== null) {
      throw new NameTakenError();
    }
    const hash = await this.hasher.hash(password);
    // A concurrent sign-up may take the name while this one hashed: the unique index decides.
    const user = toUserProfile(await this.users.create(name, hash));
    this.activeUsers.set(user.id, user);
    return user;
  }

  /** Disables or re-enables an account; disabling ends its sessions and refuses its tokens at once. */
  async setDisabled(
    id: number,
    disabled: boolean,
    actor: Actor = OPERATOR,
  ): Promise<{ sessionsEnded: number }> {
    if (!(await this.users.setDisabled(id, disabled))) {
      throw new NotFoundException('user not found');
    }
    this.activeUsers.delete(id);
    const sessionsEnded = disabled ? await this.sessions.endAllOf(id, 'disabled') : 0;
    if (disabled) {
      audit('user.disabled', actor.requestId, { userId: id, sessions: sessionsEnded });
    }
    return { sessionsEnded };
  }

  /**
   * Replaces the caller's password after checking the current one, and ends every session of
   * theirs but the one they asked from, so a thief holding another session is out.
   */
  async changePassword(
    id: number,
    currentPassword: string,
    newPassword: string,
    actor: Actor,
  ): Promise<void> {
    const user = await this.users.findById(id);
    if (user === null || !(await this.hasher.verify(user.passwordHash, currentPassword))) {
      throw new BadRequestException('currentPassword is wrong');
    }
    await this.setPassword(id, newPassword, actor);
  }

  /**
   * Sets a password without knowing the old one, ending the user's sessions but the actor's own
   * (an operator, the default, has none: all of them end).
   */
  async setPassword(
    id: number,
    newPassword: string,
    actor: Actor = OPERATOR,
  ): Promise<{ sessionsEnded: number }> {
    await this.users.updatePasswordHash(id, await this.hasher.hash(newPassword));
    const sessionsEnded = await this.sessions.endAllOf(id, 'password', { keep: actor.sessionId });
    audit('password.changed', actor.requestId, { userId: id, sessions: sessionsEnded });
    return { sessionsEnded };
  }

  async findByName(name: string): Promise<UserSummary | null> {
    const user = await this.users.findByName(name);
    return user === null ? null : toUserSummary(user);
  }

  async list(): Promise<UserSummary[]> {
    return (await this.users.findAll()).map(toUserSummary);
  }

  count(): Promise<number> {
    return this.users.count();
  }
}
