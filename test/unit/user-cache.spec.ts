import { beforeEach, describe, expect, it } from '@jest/globals';
import type { ConfigService } from '@nestjs/config';
import type { Env } from '../../src/config/env.schema.js';
import type { InstanceEvent, InstanceEvents } from '../../src/redis/instance-events.js';
import { UserCache } from '../../src/users/user-cache.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { userEntity } from '../support/entities.js';
import { mockOf, type MockOf } from '../support/mocks.js';

const config = {
  get: () => ({ userCacheMs: 30_000 }),
} as unknown as ConfigService<Env, true>;

describe(UserCache.name, () => {
  let repository: MockOf<UsersRepository>;
  let published: InstanceEvent[];
  let handlers: Map<string, (event: InstanceEvent) => void>;
  let resync: (() => void) | undefined;
  let cache: UserCache;

  beforeEach(() => {
    repository = mockOf(UsersRepository);
    repository.findById.mockResolvedValue(userEntity());
    published = [];
    handlers = new Map();
    const events = {
      publish: (event: InstanceEvent) => published.push(event),
      on: (type: string, handler: (event: InstanceEvent) => void) => handlers.set(type, handler),
      onResync: (handler: () => void) => (resync = handler),
    } as unknown as InstanceEvents;
    cache = new UserCache(repository as unknown as UsersRepository, config, events);
  });

  it('should answer a second lookup without asking the repository', async () => {
    await expect(cache.findActive(7)).resolves.toStrictEqual({ id: 7, name: 'Alice', roles: ['user'] });
    await cache.findActive(7);
    expect(repository.findById).toHaveBeenCalledTimes(1);
  });

  it('should not cache a disabled or unknown user', async () => {
    repository.findById.mockResolvedValue(userEntity({ disabled: true }));
    await expect(cache.findActive(7)).resolves.toBeNull();
    repository.findById.mockResolvedValue(null);
    await expect(cache.findActive(7)).resolves.toBeNull();
    expect(repository.findById).toHaveBeenCalledTimes(2);
  });

  it('should know a remembered user without a lookup', async () => {
    cache.remember(userEntity({ id: 8, name: 'Bob' }));
    await expect(cache.findActive(8)).resolves.toStrictEqual({ id: 8, name: 'Bob', roles: ['user'] });
    expect(repository.findById).not.toHaveBeenCalled();
  });

  it('should forget a user changed here, and tell the other instances', async () => {
    await cache.findActive(7);
    repository.findById.mockResolvedValue(userEntity({ name: 'Alicia' }));
    cache.changed(7);
    await expect(cache.findActive(7)).resolves.toMatchObject({ name: 'Alicia' });
    expect(published).toStrictEqual([{ type: 'user.changed', userId: 7 }]);
  });

  it('should forget a user another instance changed, and only that user', async () => {
    await cache.findActive(7);
    handlers.get('user.changed')?.({ type: 'user.changed', userId: 8 });
    await cache.findActive(7);
    expect(repository.findById).toHaveBeenCalledTimes(1);
    handlers.get('user.changed')?.({ type: 'user.changed', userId: 7 });
    await cache.findActive(7);
    expect(repository.findById).toHaveBeenCalledTimes(2);
    expect(published).toStrictEqual([]);
  });

  it('should forget everyone after a resync', async () => {
    await cache.findActive(7);
    resync?.();
    await cache.findActive(7);
    expect(repository.findById).toHaveBeenCalledTimes(2);
  });

  it('should work without Redis: a change here is still forgotten', async () => {
    const alone = new UserCache(repository as unknown as UsersRepository, config);
    await alone.findActive(7);
    alone.changed(7);
    await alone.findActive(7);
    expect(repository.findById).toHaveBeenCalledTimes(2);
  });
});
