import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EntityManager } from 'typeorm';
import type { Env } from '../config/env.schema.js';
import { Mailer } from '../mail/mailer.js';
import { accountMails } from './account-mails.js';
import { LinkTokens } from './link-tokens.js';
import { UsersRepository } from './users.repository.js';
import { InviteNeedsMailError, UserNotFoundError } from './users.errors.js';

/**
 * Invites (docs/email.md#invites): an account made with an address and no password gets a link to
 * choose its first password, `PUBLIC_URL/reset-password#token=...`, valid INVITE_TTL seconds.
 * POST /password/reset takes its token and verifies the address too (PasswordResetService).
 */
@Injectable()
export class Invites {
  private readonly ttlMs: number;

  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: LinkTokens,
    private readonly mailer: Mailer,
    config: ConfigService<Env, true>,
  ) {
    this.ttlMs = config.get('INVITE_TTL', { infer: true }) * 1000;
  }

  /**
   * The password an invited account is created with: 256 random bits nobody is told, hashed like
   * any other, so a password login of the account fails as a wrong password does, with the same
   * work, until the invite is accepted. Throws InviteNeedsMailError when no mail can go out.
   */
  unusablePassword(): string {
    if (!this.mailer.enabled) {
      throw new InviteNeedsMailError();
    }
    return randomBytes(32).toString('base64url');
  }

  /** Sets the address (unverified) and queues its invite, in the creation's transaction. */
  async sendIn(transaction: EntityManager, userId: number, address: string): Promise<void> {
    if (!(await this.users.setEmail(userId, address, transaction))) {
      throw new UserNotFoundError();
    }
    const token = await this.tokens.issue(transaction, {
      userId,
      purpose: 'invite',
      ttlMs: this.ttlMs,
      email: address,
    });
    const link = this.mailer.link('reset-password', token);
    await this.mailer.enqueue(transaction, accountMails.invite(address, link, this.ttlMs), link);
  }

  /** After the creation has committed: deliver the invite now. */
  committed(): void {
    this.mailer.committed();
  }
}
