import { Counter, Gauge } from 'prom-client';
import type { Metrics } from './metrics.js';

/** The outbox's counters and its queue depth (docs/email.md), in the application's registry. */
export class MailMetrics {
  private readonly sentTotal: Counter;
  private readonly retriedTotal: Counter;
  private readonly failedTotal: Counter;

  constructor(private readonly metrics: Metrics) {
    const registers = [metrics.registry];
    this.sentTotal = new Counter({
      name: 'mail_sent_total',
      help: 'Mails the mail server accepted',
      registers,
    });
    this.retriedTotal = new Counter({
      name: 'mail_retried_total',
      help: 'Deliveries put off to a later try: the mail server unreachable, or a 4xx answer',
      registers,
    });
    this.failedTotal = new Counter({
      name: 'mail_failed_total',
      help: 'Mails given up on (repeated 5xx answers, or too old): their reason is kept in the outbox',
      registers,
    });
  }

  sent(): void {
    this.sentTotal.inc();
  }

  retried(): void {
    this.retriedTotal.inc();
  }

  failed(): void {
    this.failedTotal.inc();
  }

  /** `mail_queue_depth`: mails waiting to be delivered, counted by `depth` at each scrape. */
  watchDepth(depth: () => Promise<number>): void {
    new Gauge({
      name: 'mail_queue_depth',
      help: 'Mails in the outbox waiting for delivery (queued, whatever their next try)',
      registers: [this.metrics.registry],
      async collect() {
        try {
          this.set(await depth());
        } catch {
          // The database is down: readiness says so; the scrape still answers.
        }
      },
    });
  }
}
