import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { DatabaseLock } from '../../src/database/database-lock.js';
import type { UserEntity } from '../../src/users/user.entity.js';
import { LastAdminRule } from '../../src/users/last-admin-rule.js';
import { LastAdminError, LAST_ADMIN_MESSAGE } from '../../src/users/users.errors.js';
import { UsersRepository } from '../../src/users/users.repository.js';
import { userEntity } from '../support/entities.js';
import { mockOf, type MockOf } from '../support/mocks.js';

const admin = (overrides: Partial<UserEntity> = {}) => userEntity({ roles: ['admin'], ...overrides });

describe(LastAdminRule.name, () => {
  let repository: MockOf<UsersRepository>;
  let locked: string[];
  let rule: LastAdminRule;
  let write: jest.Mock<() => Promise<boolean>>;

  beforeEach(() => {
    repository = mockOf(UsersRepository);
    repository.findById.mockResolvedValue(admin());
    repository.countEnabledAdmins.mockResolvedValue(1);
    locked = [];
    const lock = {
      run: (name: string, work: () => Promise<unknown>) => {
        locked.push(name);
        return work();
      },
    } as unknown as DatabaseLock;
    rule = new LastAdminRule(repository as unknown as UsersRepository, lock);
    write = jest.fn(() => Promise.resolve(true));
  });

  it.each([
    ['demoting', { roles: ['user'] as const }],
    ['disabling', { disabled: true }],
    ['disabling while keeping the role', { roles: ['admin'] as const, disabled: true }],
    ['deleting', 'deleted' as const],
  ])('should refuse %s the last enabled admin, writing nothing', async (_, change) => {
    const refused = rule.keepingAnAdmin(7, change, write);
    await expect(refused).rejects.toBeInstanceOf(LastAdminError);
    await expect(refused).rejects.toThrow(LAST_ADMIN_MESSAGE);
    expect(write).not.toHaveBeenCalled();
  });

  it('should check and write under the admins lock', async () => {
    repository.countEnabledAdmins.mockResolvedValue(2);
    await expect(rule.keepingAnAdmin(7, 'deleted', write)).resolves.toBe(true);
    expect(locked).toStrictEqual(['nest-jwt-auth:admins']);
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('should let a change that keeps an admin, or concerns no enabled admin, through without counting', async () => {
    await rule.keepingAnAdmin(7, { roles: ['user', 'admin'] }, write);
    repository.findById.mockResolvedValue(admin({ disabled: true }));
    await rule.keepingAnAdmin(7, 'deleted', write);
    repository.findById.mockResolvedValue(userEntity());
    await rule.keepingAnAdmin(7, { disabled: true }, write);
    expect(write).toHaveBeenCalledTimes(3);
    expect(repository.countEnabledAdmins).not.toHaveBeenCalled();
  });

  it('should answer false, writing nothing, for an unknown id', async () => {
    repository.findById.mockResolvedValue(null);
    await expect(rule.keepingAnAdmin(99, 'deleted', write)).resolves.toBe(false);
    expect(write).not.toHaveBeenCalled();
  });

  it('should run concurrent changes one after the other, so two admins cannot demote each other', async () => {
    let admins = 2;
    repository.countEnabledAdmins.mockImplementation(() => Promise.resolve(admins));
    const demote = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      admins -= 1;
      return true;
    };
    const results = await Promise.allSettled([
      rule.keepingAnAdmin(7, { roles: ['user'] }, demote),
      rule.keepingAnAdmin(8, { roles: ['user'] }, demote),
    ]);
    expect(results.map((result) => result.status)).toStrictEqual(['fulfilled', 'rejected']);
    expect(admins).toBe(1);
  });

  it('should go on serving after a refusal', async () => {
    await expect(rule.keepingAnAdmin(7, 'deleted', write)).rejects.toBeInstanceOf(LastAdminError);
    repository.countEnabledAdmins.mockResolvedValue(2);
    await expect(rule.keepingAnAdmin(7, 'deleted', write)).resolves.toBe(true);
  });
});
