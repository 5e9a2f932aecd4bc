import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/request-context/actor.js';
import { AuditLog } from '../logging/audit.js';
import { toEmailView, type EmailView } from './email-view.js';
import { UserEmailService } from './user-email.service.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';
import { UserNotFoundError } from './users.errors.js';

/**
 * A signed-in user changing their own address (docs/email.md#email-change): proven by the current
 * password, the new address pending until the link mailed to it confirms it (UserEmailService.verify).
 */
@Injectable()
export class EmailChangeService {
  constructor(
    private readonly users: UsersService,
    private readonly repository: UsersRepository,
    private readonly emails: UserEmailService,
    private readonly auditLog: AuditLog,
  ) {}

  /**
   * POST /user/email. The step-up first (a wrong password counts toward the account's hold, a 400
   * `currentPassword is wrong`), then `address` becomes the pending one and gets a verification
   * link, replacing any pending before it. Whether another account uses the address is not looked
   * at: the answer is the same, and confirming one another account has verified is the 409.
   * The address the account already has is no change: the pending one is dropped (and an
   * unverified address gets a new link).
   */
  async request(id: number, address: string, currentPassword: string, actor: Actor): Promise<EmailView> {
    await this.users.proveStepUp(
      id,
      { password: currentPassword, field: 'currentPassword' },
      actor,
      'email_change',
    );
    const view = await this.auditLog.change(actor, async (transaction, record) => {
      const user = await this.repository.findByIdIn(id, transaction);
      if (user === null) {
        throw new UserNotFoundError();
      }
      const current = address === user.email;
      if (!current || user.emailVerifiedAt === null) {
        await this.emails.sendVerificationIn(transaction, id, address);
      }
      const pending = current ? null : address;
      await this.repository.setPendingEmail(id, pending, transaction);
      await record('email.change.requested', { userId: id, current });
      return toEmailView({ ...user, emailPending: pending });
    });
    this.emails.committed();
    return view;
  }
}
