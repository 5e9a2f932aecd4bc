import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EntityManager } from 'typeorm';
import { AfterResponse } from '../common/after-response.js';
import type { Actor } from '../common/request-context/actor.js';
import { emailKey } from '../common/validation/email-address.js';
import type { Env } from '../config/env.schema.js';
import { AuditLog } from '../logging/audit.js';
import { Mailer } from '../mail/mailer.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { LoginAttemptLimiter } from '../throttling/login-attempts.js';
import { MailTargetLimiter } from '../throttling/mail-target-limiter.js';
import { accountMails } from './account-mails.js';
import { LinkTokens } from './link-tokens.js';
import { PasswordHasher } from './password-hasher.service.js';
import { UserCache } from './user-cache.js';
import { UsersRepository } from './users.repository.js';
import { UserNotFoundError } from './users.errors.js';

/**
 * Forgotten passwords (docs/email.md#password-reset): a link to a known, verified address, and the
 * reset it leads to. A reset ends every session and clears the failure hold; two-factor stays.
 */
@Injectable()
export class PasswordResetService {
  private readonly ttlMs: number;

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: LinkTokens,
    private readonly mailer: Mailer,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly attempts: LoginAttemptLimiter,
    private readonly cache: UserCache,
    private readonly auditLog: AuditLog,
    private readonly targets: MailTargetLimiter,
    private readonly afterResponse: AfterResponse,
    config: ConfigService<Env, true>,
  ) {
    this.ttlMs = config.get('PASSWORD_RESET_TTL', { infer: true }) * 1000;
  }

  /**
   * POST /password/forgot. A known, verified address of an enabled account gets a link, at most
   * MAIL_TARGET_LIMIT an hour. All of it runs after the answer (AfterResponse), so neither the
   * answer nor its time says whether the address is known.
   */
  forgot(email: string, actor: Actor): Promise<void> {
    return this.afterResponse.run('password reset request', () => this.sendResetLink(email, actor));
  }

  private async sendResetLink(email: string, actor: Actor): Promise<void> {
    if (!(await this.targets.allow('address', emailKey(email), actor))) {
      return;
    }
    const user = await this.users.findByVerifiedEmail(email);
    const known = user !== null && !user.disabled && user.email !== null;
    await this.auditLog.change(actor, async (transaction, record) => {
      if (known) {
        const token = await this.tokens.issue(transaction, {
          userId: user.id,
          purpose: 'reset_password',
          ttlMs: this.ttlMs,
        });
        const link = this.mailer.link('reset-password', token);
        await this.mailer.enqueue(
          transaction,
          accountMails.passwordReset(user.email!, link, this.ttlMs),
          link,
        );
      }
      // The address is not recorded: an unknown one may be anyone's.
      await record('password.reset_requested', { userId: known ? user.id : undefined, known });
    });
    this.mailer.committed();
  }

  /**
   * POST /password/reset: spends the token (a reset link's, or an invite's), sets the password,
   * ends every session of the account and clears its failure hold; a notice goes to its verified
   * address. Two-factor stays on. An invite's token also verifies the address it was mailed to,
   * if still the account's and no other account's verified one: reading the mail proved it.
   */
  async reset(token: string, newPassword: string, actor: Actor): Promise<void> {
    const hash = await this.hasher.hash(newPassword);
    const { userId, name, ended } = await this.auditLog.change(actor, async (transaction, record) => {
      const spent = await this.tokens.spend(transaction, token, ['reset_password', 'invite']);
      const user = await this.users.findById(spent.userId);
      if (user === null || !(await this.users.updatePasswordHash(user.id, hash, transaction))) {
        throw new UserNotFoundError();
      }
      const ids = await this.sessions.endIn(transaction, { userId: user.id }, 'password');
      if (spent.purpose === 'invite') {
        const verified =
          spent.email !== null && (await this.verifyInvited(user.id, spent.email, transaction));
        await record('invite.accepted', { userId: user.id, emailVerified: verified });
      } else {
        if (user.email !== null && user.emailVerifiedAt !== null) {
          await this.mailer.enqueue(transaction, accountMails.passwordChanged(user.email));
        }
        await record('password.reset', { userId: user.id, sessions: ids.length });
      }
      return { userId: user.id, name: user.name, ended: ids };
    });
    this.sessions.announceEnded(ended, 'password');
    this.cache.changed(userId);
    await this.attempts.recordSuccess(name);
    this.mailer.committed();
  }

  /** Marks the invited address verified unless it was replaced or another account verified it first. */
  private async verifyInvited(id: number, email: string, transaction: EntityManager): Promise<boolean> {
    const holder = await this.users.findByVerifiedEmail(email);
    if (holder !== null && holder.id !== id) {
      return false;
    }
    return this.users.markEmailVerified(id, email, new Date(), transaction);
  }
}
