import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OPERATOR, type Actor } from '../common/request-context/actor.js';
import { AuditLog } from '../logging/audit.js';
import { toEmailView, type EmailView } from './email-view.js';
import { UserCache } from './user-cache.js';
import { UsersRepository } from './users.repository.js';
import { UserNotFoundError } from './users.errors.js';

/** An account's mail address: what it is, and setting it (docs/email.md). */
@Injectable()
export class UserEmailService {
  constructor(
    private readonly users: UsersRepository,
    private readonly auditLog: AuditLog,
    private readonly cache: UserCache,
  ) {}

  /** The account's address and its state; throws UserNotFoundError. */
  async view(id: number): Promise<EmailView> {
    const user = await this.users.findById(id);
    if (user === null) {
      throw new UserNotFoundError();
    }
    return toEmailView(user);
  }

  /**
   * Sets the address, unverified, in the caller's transaction (the admin API's create and update
   * set it with the rest of their change). The caller has held it to emailAddressProblem().
   * Throws UserNotFoundError.
   */
  async setIn(transaction: EntityManager, id: number, address: string): Promise<void> {
    if (!(await this.users.setEmail(id, address, transaction))) {
      throw new UserNotFoundError();
    }
  }

  /** Sets the address on its own (the CLI's `users email`), with its `email.set` event. */
  async set(id: number, address: string, actor: Actor = OPERATOR): Promise<void> {
    await this.auditLog.change(actor, async (transaction, record) => {
      await this.setIn(transaction, id, address);
      await record('email.set', { userId: id });
    });
    this.cache.changed(id);
  }
}
