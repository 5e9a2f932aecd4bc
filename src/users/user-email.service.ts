import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EntityManager } from 'typeorm';
import { AfterResponse } from '../common/after-response.js';
import { OPERATOR, type Actor } from '../common/request-context/actor.js';
import { nameKey } from '../common/validation/name-key.js';
import type { Env } from '../config/env.schema.js';
import { AuditLog } from '../logging/audit.js';
import { Mailer } from '../mail/mailer.js';
import { emailKey } from '../common/validation/email-address.js';
import { MailTargetLimiter } from '../throttling/mail-target-limiter.js';
import { accountMails } from './account-mails.js';
import { AccountNotices } from './account-notices.js';
import { toEmailView, type EmailView } from './email-view.js';
import { LinkTokens } from './link-tokens.js';
import { UserCache } from './user-cache.js';
import { UsersRepository } from './users.repository.js';
import { EmailNotVerifiedError, InvalidLinkTokenError, UserNotFoundError } from './users.errors.js';

/** An account's mail address: what it is, setting it, and verifying it (docs/email.md). */
@Injectable()
export class UserEmailService {
  private readonly verificationTtlMs: number;
  private readonly verificationRequired: boolean;

  constructor(
    private readonly users: UsersRepository,
    private readonly auditLog: AuditLog,
    private readonly cache: UserCache,
    private readonly tokens: LinkTokens,
    private readonly mailer: Mailer,
    private readonly notices: AccountNotices,
    private readonly targets: MailTargetLimiter,
    private readonly afterResponse: AfterResponse,
    config: ConfigService<Env, true>,
  ) {
    this.verificationTtlMs = config.get('EMAIL_VERIFICATION_TTL', { infer: true }) * 1000;
    this.verificationRequired = config.get('EMAIL_VERIFICATION_REQUIRED', { infer: true });
  }

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
   * set it with the rest of their change), and queues its verification link there too when mail
   * is on; a pending change is dropped. The address the account has verified already stays
   * verified, with no new link. The caller has held it to emailAddressProblem(). Throws
   * UserNotFoundError.
   */
  async setIn(transaction: EntityManager, id: number, address: string): Promise<void> {
    const set = await this.users.setEmail(id, address, transaction);
    if (set === null) {
      throw new UserNotFoundError();
    }
    if (set === 'unverified') {
      await this.sendVerificationIn(transaction, id, address);
    }
  }

  /** Sets the address on its own (the CLI's `users email`), with its `email.set` event. */
  async set(id: number, address: string, actor: Actor = OPERATOR): Promise<void> {
    await this.auditLog.change(actor, async (transaction, record) => {
      await this.setIn(transaction, id, address);
      await record('email.set', { userId: id });
    });
    this.cache.changed(id);
    this.committed();
  }

  /** After a change that queued mail has committed: deliver it now. */
  committed(): void {
    this.mailer.committed();
  }

  /**
   * POST /email/verify: spends the token and marks its address verified, if still the account's,
   * or makes it the account's if it is still the pending one of an email change: the old
   * verified address then gets a notice. EmailTakenError (409) when another account has verified
   * the address first; the token stays unspent (the change rolls back).
   */
  async verify(token: string, actor: Actor): Promise<void> {
    const changed = await this.auditLog.change(actor, async (transaction, record) => {
      const { userId, email } = await this.tokens.spend(transaction, token, 'verify_email');
      const now = new Date();
      if (email !== null && (await this.users.markEmailVerified(userId, email, now, transaction))) {
        await record('email.verified', { userId });
        return false;
      }
      const before = await this.users.findByIdIn(userId, transaction);
      // A link to an address since replaced verifies nothing: the same answer as a spent token.
      if (
        email === null ||
        before === null ||
        !(await this.users.confirmPendingEmail(userId, email, now, transaction))
      ) {
        throw new InvalidLinkTokenError();
      }
      if (before.email !== null && before.emailKey !== null && before.emailKey !== emailKey(email)) {
        await this.notices.sendToIn(transaction, before.email, 'emailChanged');
      }
      await record('email.changed', { userId, previousVerified: before.emailKey !== null });
      return true;
    });
    if (changed) {
      this.committed();
    }
  }

  /**
   * POST /email/verify/resend: a new link to the account's unverified address, if it has one, at
   * most MAIL_TARGET_LIMIT an hour. Runs after the answer (AfterResponse), which is the same
   * whatever the name, in the same time.
   */
  resend(name: string, actor: Actor): Promise<void> {
    return this.afterResponse.run('verification resend', () => this.resendNow(name, actor));
  }

  private async resendNow(name: string, actor: Actor): Promise<void> {
    if (!(await this.targets.allow('account', nameKey(name), actor))) {
      return;
    }
    const user = await this.users.findByName(name);
    if (user === null || user.email === null || user.emailVerifiedAt !== null || user.disabled) {
      return;
    }
    const email = user.email;
    await this.auditLog.change(actor, async (transaction, record) => {
      await this.sendVerificationIn(transaction, user.id, email);
      await record('email.verification_sent', { userId: user.id });
    });
    this.committed();
  }

  /**
   * With EMAIL_VERIFICATION_REQUIRED, an account whose address is set and not verified may not
   * sign in (EmailNotVerifiedError, 403). An account with no address is not held back.
   */
  async refuseIfUnverified(id: number): Promise<void> {
    if (!this.verificationRequired) {
      return;
    }
    const user = await this.users.findById(id);
    if (user !== null && user.email !== null && user.emailVerifiedAt === null) {
      throw new EmailNotVerifiedError();
    }
  }

  /** Queues a verification link for `address` in the caller's transaction, when mail is on. */
  async sendVerificationIn(transaction: EntityManager, id: number, address: string): Promise<void> {
    if (!this.mailer.enabled) {
      return;
    }
    const ttlMs = this.verificationTtlMs;
    const token = await this.tokens.issue(transaction, {
      userId: id,
      purpose: 'verify_email',
      ttlMs,
      email: address,
    });
    const link = this.mailer.link('verify-email', token);
    await this.mailer.enqueue(transaction, accountMails.verification(address, link, ttlMs), link);
  }
}
