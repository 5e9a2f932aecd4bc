import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A stored audit event (GET /admin/audit). Never a password, a token or a hash. */
@Entity({ name: 'audit_events' })
@Index('IDX_audit_events_event_id', ['event', 'id'])
@Index('IDX_audit_events_user_id_id', ['userId', 'id'])
export class AuditEventEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('IDX_audit_events_at')
  @Column({ type: Date })
  at!: Date;

  @Column({ type: 'varchar', length: 64 })
  event!: string;

  /** Who acted: a user id, "cli" for the operators' CLI, or NULL (an unauthenticated request). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  actor!: string | null;

  /** The account the event is about, if any (no foreign key: the trail outlives a deleted user). */
  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId!: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ name: 'request_id', type: 'varchar', length: 64, nullable: true })
  requestId!: string | null;

  /** The event's other fields, as a JSON object. */
  @Column({ type: 'text' })
  details!: string;
}
