import { Logger } from '@nestjs/common';
import type { MailMetrics } from '../metrics/mail-metrics.js';
import { MailDeliveryError, type MailTransport } from './mail-transport.js';
import type { Outbox } from './outbox.js';
import type { OutboxMessageEntity } from './outbox-message.entity.js';

export interface OutboxWorkerOptions {
  from: string;
  /** Between looks for due mail when nothing kicked the worker. */
  pollMs: number;
  /** How long a claimed row stays this process's: longer than a send can take (its timeouts). */
  leaseMs: number;
  /** 5xx answers after which a mail is given up on. */
  maxRejections: number;
  /** A mail still undelivered this long after it was queued is given up on (its links expired). */
  maxAgeMs: number;
  batch: number;
}

export const DEFAULT_OUTBOX_OPTIONS: Omit<OutboxWorkerOptions, 'from'> = {
  pollMs: 1_000,
  leaseMs: 120_000,
  maxRejections: 3,
  maxAgeMs: 3 * 86_400_000,
  batch: 10,
};

/** The wait before try `attempts + 1`: 1 s, doubling, capped at one minute. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000, 1_000 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Delivers the outbox: claims due rows, hands each to the transport once, then marks it sent, or
 * puts it off with backoff (mail server down, 4xx), or gives up (after maxRejections 5xx answers,
 * or maxAgeMs) and records why. A row is marked sent right after the server accepts it; only a
 * process that dies between the two would leave it to be sent again once its lease runs out.
 */
export class OutboxWorker {
  private readonly logger = new Logger('Mail');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly transport: MailTransport,
    private readonly metrics: MailMetrics,
    private readonly options: OutboxWorkerOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Looks for due mail now (after a change that queued one has committed). */
  kick(): void {
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.transport.close();
  }

  /** One pass: every due row, batch after batch. Resolves when none is left (or on an error). */
  async deliverDue(): Promise<void> {
    for (;;) {
      const rows = await this.outbox.claim(this.now(), this.options.leaseMs, this.options.batch);
      for (const row of rows) {
        await this.deliver(row);
      }
      if (rows.length < this.options.batch || this.stopped) {
        return;
      }
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) {
      return;
    }
    this.timer = setTimeout(() => {
      this.running = this.deliverDue()
        .catch((error: unknown) => this.logger.warn({ msg: 'mail delivery pass failed', err: error }))
        .finally(() => {
          this.running = undefined;
          const again = this.again;
          this.again = false;
          this.schedule(again ? 0 : this.options.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  private async deliver(row: OutboxMessageEntity): Promise<void> {
    const attempts = row.attempts + 1;
    try {
      await this.transport.send(row.id, this.options.from, {
        to: row.recipient,
        subject: row.subject,
        text: row.text,
        html: row.html,
      });
    } catch (error) {
      await this.failed(row, attempts, error);
      return;
    }
    await this.outbox.markSent(row.id, attempts, this.now());
    this.metrics.sent();
  }

  private async failed(row: OutboxMessageEntity, attempts: number, error: unknown): Promise<void> {
    const failure = error instanceof MailDeliveryError ? error : new MailDeliveryError('transient', 'error');
    const rejections = row.rejections + (failure.kind === 'permanent' ? 1 : 0);
    const now = this.now();
    const tooOld = now.getTime() - row.createdAt.getTime() >= this.options.maxAgeMs;
    if (rejections >= this.options.maxRejections || tooOld) {
      const why = tooOld
        ? `gave up after ${attempts} tries: ${failure.reason}`
        : `rejected: ${failure.reason}`;
      await this.outbox.giveUp(row.id, { attempts, rejections, error: why });
      this.metrics.failed();
      this.logger.warn({ msg: 'mail given up', id: row.id, attempts, reason: why });
      return;
    }
    const next = new Date(now.getTime() + retryDelayMs(attempts));
    await this.outbox.retryAt(row.id, { attempts, rejections, next, error: failure.reason });
    this.metrics.retried();
  }
}
