import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Where a mail is in its delivery: waiting (with its next try), accepted, or given up on. */
export type OutboxStatus = 'queued' | 'sent' | 'failed';

/** One mail in the durable outbox (docs/email.md), written in the transaction of its change. */
@Entity({ name: 'mail_outbox' })
@Index('IDX_mail_outbox_due', ['status', 'nextAttemptAt'])
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 254 })
  recipient!: string;

  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  @Column({ type: 'text' })
  text!: string;

  @Column({ type: 'text' })
  html!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: OutboxStatus;

  /** Tries so far, failed or not. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** The 5xx answers so far: past a bound the mail is given up on. */
  @Column({ name: 'rejections', type: 'integer', default: 0 })
  rejections!: number;

  @Column({ name: 'next_attempt_at', type: Date })
  nextAttemptAt!: Date;

  /** Who holds the mail while sending it (an instance's random id) and until when. */
  @Column({ name: 'lease_owner', type: 'varchar', length: 36, nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_until', type: Date, nullable: true })
  leaseUntil!: Date | null;

  /** The last failure: the mail server's answer code and a short reason, never the mail. */
  @Column({ name: 'last_error', type: 'varchar', length: 255, nullable: true })
  lastError!: string | null;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: Date, nullable: true })
  sentAt!: Date | null;
}
