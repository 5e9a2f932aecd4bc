import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Mailer } from '../mail/mailer.js';
import { accountMails, type Notice } from './account-mails.js';
import { UsersRepository } from './users.repository.js';

/**
 * Tells an account's owner of a change to how it signs in (docs/email.md#notices): a mail with no
 * token and no secret to its verified address, queued in the change's own transaction, so it
 * exists exactly when the change committed. An account without a verified address gets none.
 */
@Injectable()
export class AccountNotices {
  constructor(
    private readonly users: UsersRepository,
    private readonly mailer: Mailer,
  ) {}

  /** Queues `notice` for the account's verified address, if it has one and mail is on. */
  async sendIn(transaction: EntityManager, userId: number, notice: Notice): Promise<void> {
    if (!this.mailer.enabled) {
      return;
    }
    const user = await this.users.findByIdIn(userId, transaction);
    if (user !== null && user.email !== null && user.emailVerifiedAt !== null) {
      await this.mailer.enqueue(transaction, accountMails[notice](user.email));
    }
  }

  /** Queues `notice` for an address the change is replacing (the old one of an email change). */
  async sendToIn(transaction: EntityManager, address: string, notice: Notice): Promise<void> {
    if (this.mailer.enabled) {
      await this.mailer.enqueue(transaction, accountMails[notice](address));
    }
  }

  /** After the change has committed: deliver now rather than at the next poll. */
  committed(): void {
    this.mailer.committed();
  }
}
