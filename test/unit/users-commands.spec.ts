import { describe, expect, it } from '@jest/globals';
import { AdminUsersService } from '../../src/admin/admin-users.service.js';
import { UsersCommands } from '../../src/cli/users.commands.js';
import type { MfaService } from '../../src/mfa/mfa.service.js';
import { toUserSummary } from '../../src/users/user-profile.js';
import type { UsersService } from '../../src/users/users.service.js';
import { userEntity } from '../support/entities.js';
import { mockOf } from '../support/mocks.js';

describe('UsersCommands.list', () => {
  it('should list every account, in id order across pages', async () => {
    const admin = mockOf(AdminUsersService);
    const alice = toUserSummary(userEntity());
    const bob = toUserSummary(userEntity({ id: 8, name: 'Bob', disabled: true }));
    admin.page
      .mockResolvedValueOnce({ items: [alice], more: true })
      .mockResolvedValueOnce({ items: [bob], more: false });
    const commands = new UsersCommands(
      {} as UsersService,
      admin as unknown as AdminUsersService,
      {} as MfaService,
    );
    await expect(commands.list()).resolves.toBe(
      [
        'ID  NAME   STATE     CREATED',
        ' 7  Alice  enabled   1970-01-01T00:00:00Z',
        ' 8  Bob    disabled  1970-01-01T00:00:00Z',
      ].join('\n'),
    );
    expect(admin.page.mock.calls.map(([query]) => query.afterId)).toStrictEqual([undefined, 7]);
  });
});
