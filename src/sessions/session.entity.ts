import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Why a session ended; kept for the operator and the audit trail. */
export type SessionEndReason =
  'logout' | 'replay' | 'password' | 'mfa' | 'disabled' | 'revoked' | 'idle' | 'expired';

/** A login: the refresh tokens and access tokens issued for it live and die with it. */
@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index()
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: Date })
  lastUsedAt!: Date;

  /** The absolute end: SESSION_MAX_TTL after login, however much the session is used. */
  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Index()
  @Column({ name: 'ended_at', type: Date, nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'end_reason', type: 'varchar', length: 16, nullable: true })
  endReason!: SessionEndReason | null;
}
