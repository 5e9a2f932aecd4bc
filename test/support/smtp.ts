import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** One message as the server received it: the envelope's recipients and the raw text. */
export interface ReceivedMail {
  rcptTo: string[];
  raw: string;
}

/** A real SMTP server (nodemailer's smtp-server) on 127.0.0.1, keeping what it receives. */
export interface TestSmtp {
  port: number;
  messages: ParsedMail[];
  /** The same messages, in the same order, as received (envelope and raw source). */
  received: ReceivedMail[];
  /** Recipients refused (`reject`), one entry per refusal. */
  refused: string[];
  /** Resolves with the `count`th message, or rejects after `ms`. */
  waitFor(count: number, ms?: number): Promise<ParsedMail>;
  /**
   * Resolves with the first message from index `from` on (default 0) with this subject and, when
   * given, this recipient; rejects after `ms`. For mails that other mails (a notice queued by an
   * earlier step) may arrive before or after, where counting messages would take the wrong one.
   */
  waitForMail(match: MailMatch, ms?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

/** What waitForMail looks for. */
export interface MailMatch {
  subject: string;
  /** The recipient's address (compared case-insensitively). */
  to?: string;
  /** The index of the first message to look at (such as `messages.length` before the request). */
  from?: number;
}

/** Whether `mail` has this subject and, when given, this recipient. */
export function mailMatches(mail: ParsedMail, { subject, to }: MailMatch): boolean {
  if (mail.subject !== subject) {
    return false;
  }
  const recipients = (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((list) =>
    list.value.map((address) => (address.address ?? '').toLowerCase()),
  );
  return to === undefined || recipients.includes(to.toLowerCase());
}

export interface SmtpOptions {
  /** An SMTP answer code (such as 550) to refuse this recipient with, or undefined to take it. */
  reject?: (recipient: string) => number | undefined;
}

export async function startSmtp(port = 0, options: SmtpOptions = {}): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const received: ReceivedMail[] = [];
  const refused: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const code = options.reject?.(address.address);
      if (code === undefined) {
        callback();
        return;
      }
      refused.push(address.address);
      callback(Object.assign(new Error('mailbox unavailable'), { responseCode: code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((mail) => {
            received.push({
              rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              raw: raw.toString(),
            });
            messages.push(mail);
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  server.listen(port, '127.0.0.1');
  await once(server.server, 'listening');
  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    received,
    refused,
    async waitFor(count, ms = 15_000) {
      const deadline = Date.now() + ms;
      while (messages.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} mail(s) within ${ms} ms, got ${messages.length}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return messages[count - 1];
    },
    async waitForMail(match, ms = 15_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = messages.slice(match.from ?? 0).find((mail) => mailMatches(mail, match));
        if (found !== undefined) {
          return found;
        }
        if (Date.now() > deadline) {
          const seen = messages.slice(match.from ?? 0).map((mail) => mail.subject);
          throw new Error(
            `expected a mail '${match.subject}' to ${match.to ?? 'anyone'} within ${ms} ms; got ${JSON.stringify(seen)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on (taken from the system, then freed). */
export async function freePort(): Promise<number> {
  const smtp = await startSmtp();
  await smtp.close();
  return smtp.port;
}
