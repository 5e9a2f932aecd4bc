import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EntityManager } from 'typeorm';
import { AfterResponse } from '../common/after-response.js';
import { OPERATOR, type Actor } from '../common/request-context/actor.js';
import { nameKey } from '../common/validation/name-key.js';
import type { Env } from '../config/env.schema.js';
import { AuditLog } from '../logging/audit.js';
import { Mailer } from '../mail/mailer.js';
import { MailTargetLimiter } from '../throttling/mail-target-limiter.js';
import { accountMails } from './account-mails.js';
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
   * is on. The caller has held it to emailAddressProblem(). Throws UserNotFoundError.
   */
  async setIn(transaction: EntityManager, id: number, address: string): Promise<void> {
    if (!(await this.users.setEmail(id, address, transaction))) {
      throw new UserNotFoundError();
    }
    await this.sendVerificationIn(transaction, id, address);
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

  /** POST /email/verify: spends the token and marks its address verified, if still the account's. */
  async verify(token: string, actor: Actor): Promise<void> {
    await this.auditLog.change(actor, async (transaction, record) => {
      const { userId, email } = await this.tokens.spend(transaction, token, 'verify_email');
      // A link to an address since replaced verifies nothing: the same answer as a spent token.
      if (email === null || !(await this.users.markEmailVerified(userId, email, new Date(), transaction))) {
        throw new InvalidLinkTokenError();
      }
      await record('email.verified', { userId });
    });
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

  private async sendVerificationIn(transaction: EntityManager, id: number, address: string): Promise<void> {
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
