import { Injectable } from '@nestjs/common';
import type { Role } from '../common/request-context/role.js';
import { DatabaseLock } from '../database/database-lock.js';
import { LastAdminError } from './users.errors.js';
import { UsersRepository } from './users.repository.js';

/** The advisory lock (PostgreSQL) under which a change that could remove an admin is checked and made. */
const ADMINS_LOCK = 'nest-jwt-auth:admins';

/** What a change does to an account, as far as the rule cares: its new fields, or its deletion. */
export type AdminChange = { disabled?: boolean; roles?: readonly Role[] } | 'deleted';

/** The rule that some enabled admin always remains, and the serialisation that makes it hold. */
@Injectable()
export class LastAdminRule {
  /** Changes that could remove an admin, one at a time in this process (the lock covers the others). */
  private adminChanges: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly users: UsersRepository,
    private readonly lock: DatabaseLock,
  ) {}

  /**
   * Runs `write` unless it would leave no enabled admin: the account is one now and would no
   * longer be (`change`), and no other is. Checked and written under a lock, so two admins
   * demoting each other at once cannot both succeed. `write` answers false for no such user.
   * Throws LastAdminError.
   */
  async keepingAnAdmin(id: number, change: AdminChange, write: () => Promise<boolean>): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      const user = await this.users.findById(id);
      if (user === null) {
        return false;
      }
      const isAdmin = !user.disabled && user.roles.includes('admin');
      const staysAdmin =
        change !== 'deleted' &&
        !(change.disabled ?? user.disabled) &&
        (change.roles ?? user.roles).includes('admin');
      if (isAdmin && !staysAdmin && (await this.users.countEnabledAdmins()) <= 1) {
        throw new LastAdminError();
      }
      return write();
    };
    const result = this.adminChanges.then(() => this.lock.run(ADMINS_LOCK, run));
    this.adminChanges = result.catch(() => undefined);
    return result;
  }
}
