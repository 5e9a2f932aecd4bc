import { Injectable, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LRUCache } from 'lru-cache';
import type { Env } from '../config/env.schema.js';
import { InstanceEvents } from '../redis/instance-events.js';
import { toActiveUser, type ActiveUser } from './user-profile.js';
import type { UserEntity } from './user.entity.js';
import { UsersRepository } from './users.repository.js';

/**
 * Active users by id. Every authenticated request
 * asks this, so a warm cache answers without a query; entries expire after USER_CACHE_TTL so
 * a change made outside this process (another instance, the database itself) is seen soon.
 * Changes made through UsersService update it at once, and with REDIS_URL set those of every
 * other instance and of the CLI too (a `user.changed` message).
 */
@Injectable()
export class UserCache {
  private readonly activeUsers: LRUCache<number, ActiveUser>;

  constructor(
    private readonly users: UsersRepository,
    config: ConfigService<Env, true>,
    @Optional() private readonly events?: InstanceEvents,
  ) {
    this.activeUsers = new LRUCache({
      max: 10_000,
      ttl: config.get('durations', { infer: true }).userCacheMs,
      // Only active users are cached: an id that is gone or disabled is looked up again next
      // time, so re-enabling a user (even from another process) takes effect at once. Tokens of
      // disabled users rarely get this far: disabling ends their sessions (revocation list).
      fetchMethod: async (id) => {
        const user = await this.users.findById(id);
        return user !== null && !user.disabled ? toActiveUser(user) : undefined;
      },
    });
    events?.on('user.changed', ({ userId }) => this.activeUsers.delete(userId));
    // Changes published while this process was not listening are unknown: forget them all.
    events?.onResync(() => this.activeUsers.clear());
  }

  /** The user a verified token names, with their current roles, if it still exists and is enabled. */
  async findActive(id: number): Promise<ActiveUser | null> {
    return this.activeUsers.get(id) ?? (await this.activeUsers.fetch(id)) ?? null;
  }

  /**
   * The user if the cache holds them now, without a lookup: for JwtAuthGuard's synchronous path.
   * undefined when absent or expired (findActive then looks them up).
   */
  cachedActive(id: number): ActiveUser | undefined {
    return this.activeUsers.get(id);
  }

  /** A user just created here: active at once, without a lookup. */
  remember(user: UserEntity): void {
    this.activeUsers.set(user.id, toActiveUser(user));
  }

  /** Forgets a changed user here and, with REDIS_URL set, in every other process. */
  changed(id: number): void {
    this.activeUsers.delete(id);
    this.events?.publish({ type: 'user.changed', userId: id });
  }
}
