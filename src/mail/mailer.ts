import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { MailMode } from '../config/env-mail.js';
import type { OutgoingMail } from './mail-content.js';
import { Outbox } from './outbox.js';
import type { OutboxWorker } from './outbox-worker.js';

/** The pages a mailed link opens: the token rides in the fragment, never reaching a server log. */
export type LinkPage = 'verify-email' | 'reset-password' | 'login-link';

/**
 * What features send mail through (docs/email.md): whether mail is on, the links (built from
 * PUBLIC_URL only, never a request's Host header), the outbox row in the change's transaction,
 * and a nudge to the worker once the change has committed.
 */
@Injectable()
export class Mailer {
  private readonly logger = new Logger('Mail');

  constructor(
    private readonly outbox: Outbox,
    private readonly settings: { mode: MailMode; publicUrl: string | undefined },
    private readonly worker: OutboxWorker | undefined,
  ) {}

  /** false in production without SMTP_URL: the mail routes answer 404. */
  get enabled(): boolean {
    return this.settings.mode !== 'off' && this.settings.publicUrl !== undefined;
  }

  link(page: LinkPage, token: string): string {
    if (this.settings.publicUrl === undefined) {
      throw new Error('mail is off: no PUBLIC_URL to build a link from');
    }
    return `${this.settings.publicUrl}/${page}#token=${token}`;
  }

  /**
   * Queues `mail` in `transaction`. With the embedded file outbox the link is logged at info too,
   * so that a developer can follow it from the console.
   */
  async enqueue(transaction: EntityManager, mail: OutgoingMail, link?: string): Promise<void> {
    await this.outbox.enqueue(transaction, mail);
    if (this.settings.mode === 'files' && link !== undefined) {
      this.logger.log({ msg: 'mail queued (written to the outbox folder)', subject: mail.subject, link });
    }
  }

  /** After the change that queued mail has committed: deliver it now rather than at the next poll. */
  committed(): void {
    this.worker?.kick();
  }
}
