import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { OutgoingMail } from './mail-content.js';

/** Why a delivery failed: `transient` is tried again later, `permanent` (5xx) counts toward giving up. */
export class MailDeliveryError extends Error {
  override name = 'MailDeliveryError';

  constructor(
    readonly kind: 'transient' | 'permanent',
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** How the outbox hands a mail on. Throws MailDeliveryError. */
export abstract class MailTransport {
  abstract send(id: number, from: string, mail: OutgoingMail): Promise<void>;
  close(): void {}
}

/** The mail server's answer code, if it gave one (nodemailer's `responseCode`). */
function responseCodeOf(error: unknown): number | undefined {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' ? code : undefined;
}

/** A failure as the outbox records it: the answer code and nodemailer's error code, never the mail. */
export function classify(error: unknown): MailDeliveryError {
  const responseCode = responseCodeOf(error);
  const code = (error as { code?: unknown } | null)?.code;
  const reason = [responseCode, typeof code === 'string' ? code : 'error'].filter(Boolean).join(' ');
  return new MailDeliveryError(
    responseCode !== undefined && responseCode >= 500 ? 'permanent' : 'transient',
    reason,
  );
}

/** Over SMTP_URL (nodemailer's connection URL), with timeouts short enough for the outbox's lease. */
export class SmtpTransport extends MailTransport {
  private readonly transporter: Transporter;

  constructor(url: string) {
    super();
    const options: SMTPTransport.Options = {
      url,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    };
    this.transporter = nodemailer.createTransport(options);
  }

  async send(_id: number, from: string, mail: OutgoingMail): Promise<void> {
    try {
      await this.transporter.sendMail({ from, ...mail, disableFileAccess: true, disableUrlAccess: true });
    } catch (error) {
      throw classify(error);
    }
  }

  override close(): void {
    this.transporter.close();
  }
}

/**
 * The embedded default outside production without SMTP_URL: each mail becomes DIR/<id>.eml, so
 * every flow can be tried with no mail server (the links are also logged, docs/email.md).
 */
export class FileTransport extends MailTransport {
  private readonly logger = new Logger('Mail');
  private readonly transporter = nodemailer.createTransport({ streamTransport: true, buffer: true });

  constructor(private readonly dir: string) {
    super();
  }

  async send(id: number, from: string, mail: OutgoingMail): Promise<void> {
    try {
      const info = (await this.transporter.sendMail({ from, ...mail })) as { message: Buffer };
      await mkdir(this.dir, { recursive: true });
      const file = join(this.dir, `${id}.eml`);
      await writeFile(file, info.message);
      this.logger.log({ msg: 'mail written', file, subject: mail.subject });
    } catch (error) {
      throw classify(error);
    }
  }
}
