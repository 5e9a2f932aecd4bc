import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThanOrEqual, type EntityManager, type Repository } from 'typeorm';
import { emailAddressProblem } from '../common/validation/email-address.js';
import type { OutgoingMail } from './mail-content.js';
import { OutboxMessageEntity } from './outbox-message.entity.js';

/** A lease that has run out, or was never taken: the epoch. */
const NO_LEASE = new Date(0);

/**
 * The durable outbox (docs/email.md): a change that sends mail writes its row through the same
 * transaction (AuditLog.change gives it), so the mail exists exactly when the change committed;
 * the OutboxWorker delivers it. Rows are claimed with a lease (a conditional UPDATE, atomic on
 * both databases), so several instances never send one row at the same time.
 */
@Injectable()
export class Outbox {
  /** This process's name on the leases it takes. */
  readonly owner = randomUUID();

  constructor(
    @InjectRepository(OutboxMessageEntity) private readonly rows: Repository<OutboxMessageEntity>,
  ) {}

  /** Queues `mail` in the caller's transaction. The recipient and subject are checked again here. */
  async enqueue(transaction: EntityManager, mail: OutgoingMail, now = new Date()): Promise<void> {
    // A mail whose address or subject could carry a header is a bug upstream: refuse it loudly.
    if (emailAddressProblem(mail.to) !== undefined || /[\r\n]/.test(mail.subject)) {
      throw new Error('refusing to queue a mail with a malformed recipient or subject');
    }
    const rows = transaction.getRepository(OutboxMessageEntity);
    await rows.insert(
      rows.create({
        recipient: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        status: 'queued',
        attempts: 0,
        rejections: 0,
        nextAttemptAt: now,
        leaseOwner: null,
        leaseUntil: NO_LEASE,
        lastError: null,
        createdAt: now,
        sentAt: null,
      }),
    );
  }

  /**
   * Takes up to `limit` due rows for `leaseMs`: each row is this process's only if its
   * conditional UPDATE (still queued, lease run out) changed it, so two instances racing for a
   * row never both get it.
   */
  async claim(now: Date, leaseMs: number, limit: number): Promise<OutboxMessageEntity[]> {
    const due = await this.rows.find({
      where: { status: 'queued', nextAttemptAt: LessThanOrEqual(now), leaseUntil: LessThanOrEqual(now) },
      order: { id: 'ASC' },
      take: limit,
    });
    const claimed: OutboxMessageEntity[] = [];
    for (const row of due) {
      const result = await this.rows.update(
        { id: row.id, status: 'queued', leaseUntil: LessThanOrEqual(now) },
        { leaseOwner: this.owner, leaseUntil: new Date(now.getTime() + leaseMs) },
      );
      if ((result.affected ?? 0) === 1) {
        claimed.push(row);
      }
    }
    return claimed;
  }

  /** The mail server took it: never tried again. */
  async markSent(id: number, attempts: number, now: Date): Promise<void> {
    await this.rows.update(
      { id, leaseOwner: this.owner },
      { status: 'sent', attempts, sentAt: now, leaseUntil: NO_LEASE, lastError: null },
    );
  }

  /** Tried and failed for now: tried again at `next`. */
  async retryAt(id: number, change: { attempts: number; rejections: number; next: Date; error: string }) {
    await this.rows.update(
      { id, leaseOwner: this.owner },
      {
        attempts: change.attempts,
        rejections: change.rejections,
        nextAttemptAt: change.next,
        leaseUntil: NO_LEASE,
        lastError: change.error.slice(0, 255),
      },
    );
  }

  /** Given up on, with why. */
  async giveUp(id: number, change: { attempts: number; rejections: number; error: string }) {
    await this.rows.update(
      { id, leaseOwner: this.owner },
      {
        status: 'failed',
        attempts: change.attempts,
        rejections: change.rejections,
        leaseUntil: NO_LEASE,
        lastError: change.error.slice(0, 255),
      },
    );
  }

  /** Mails waiting for delivery. */
  depth(): Promise<number> {
    return this.rows.countBy({ status: 'queued' });
  }
}
