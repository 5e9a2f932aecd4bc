import { Injectable } from '@nestjs/common';
import { AfterResponse } from '../common/after-response.js';
import type { Actor } from '../common/request-context/actor.js';
import { emailKey } from '../common/validation/email-address.js';
import { AuditLog } from '../logging/audit.js';
import { Mailer } from '../mail/mailer.js';
import { LoginAttemptLimiter } from '../throttling/login-attempts.js';
import { MailTargetLimiter } from '../throttling/mail-target-limiter.js';
import { accountMails } from './account-mails.js';
import { LinkTokens } from './link-tokens.js';
import { toUserProfile, type UserProfile } from './user-profile.js';
import type { UserEntity } from './user.entity.js';
import { UsersRepository } from './users.repository.js';
import { InvalidLinkTokenError } from './users.errors.js';

/** How long a sign-in link works. */
export const SIGN_IN_LINK_TTL_MS = 10 * 60_000;

/**
 * Sign-in links (docs/email.md#sign-in-links, EMAIL_LOGIN_ENABLED): a link to a known, verified
 * address of an enabled account, and the account its token signs in. AuthService finishes the
 * login (two-factor, session, tokens) as it does after a password.
 */
@Injectable()
export class SignInLinks {
  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: LinkTokens,
    private readonly mailer: Mailer,
    private readonly attempts: LoginAttemptLimiter,
    private readonly auditLog: AuditLog,
    private readonly mailTargets: MailTargetLimiter,
    private readonly afterResponse: AfterResponse,
  ) {}

  /**
   * POST /login/email. Every address costs the request the same: one lookup and one count per
   * address; the rest (a transaction recording `login.link_requested`, and for a known, verified
   * address of an enabled account under its count, the token and the outbox row) runs after the
   * answer (AfterResponse: bounded, waited for at shutdown, a failure logged), so neither the
   * answer nor its timing says whether the address is known.
   */
  async request(email: string, actor: Actor): Promise<void> {
    const user = await this.users.findByVerifiedEmail(email);
    // MAIL_TARGET_LIMIT links an hour per address, known or not, as the other public mail routes.
    const allowed = await this.mailTargets.allow('sign_in_link', emailKey(email), actor);
    const known = user !== null && !user.disabled && user.email !== null ? user : null;
    // After this turn of the event loop, once the answer has gone out (SQLite's driver is synchronous).
    await this.afterResponse.run('sign-in link request', () => this.queue(known, !allowed, actor));
  }

  private async queue(user: UserEntity | null, throttled: boolean, actor: Actor): Promise<void> {
    await this.auditLog.change(actor, async (transaction, record) => {
      if (user !== null && !throttled) {
        const token = await this.tokens.issue(transaction, {
          userId: user.id,
          purpose: 'sign_in',
          ttlMs: SIGN_IN_LINK_TTL_MS,
          email: user.email!,
        });
        const link = this.mailer.link('login-link', token);
        await this.mailer.enqueue(
          transaction,
          accountMails.signIn(user.email!, link, SIGN_IN_LINK_TTL_MS),
          link,
        );
      }
      // The address is not recorded: an unknown one may be anyone's.
      await record('login.link_requested', {
        userId: user?.id,
        known: user !== null,
        throttled: throttled ? true : undefined,
      });
    });
    this.mailer.committed();
  }

  /**
   * POST /login/link's first factor: spends the token and answers the account it signs in. The
   * token is spent whatever follows. One InvalidLinkTokenError for an unknown, used, expired or
   * wrong-purpose token, a disabled account, and an address no longer the account's verified one;
   * TooManyAttemptsError (429) while the account is held back (LOGIN_FAILURE_LIMIT), as at login.
   */
  async spend(token: string, actor: Actor): Promise<UserProfile> {
    const spent = await this.auditLog.change(actor, (transaction) =>
      this.tokens.spend(transaction, token, 'sign_in'),
    );
    const user = await this.users.findById(spent.userId);
    if (
      user === null ||
      user.disabled ||
      spent.email === null ||
      user.emailVerifiedAt === null ||
      user.email === null ||
      emailKey(user.email) !== emailKey(spent.email)
    ) {
      throw new InvalidLinkTokenError();
    }
    await this.attempts.refuseIfHeld(user.name, actor, 'sign_in_link');
    // Not awaited, as at a password login: only the admin API's list reads it.
    this.users.recordLogin(user.id, new Date()).catch(() => undefined);
    return toUserProfile(user);
  }
}
