import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A password check that passed for a user with a second factor: the mfaToken, stored as its
 * SHA-256 only. In the database, so any instance can complete the login it started.
 */
@Entity({ name: 'mfa_challenges' })
export class MfaChallengeEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Index()
  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;

  /** Wrong codes sent with this token so far. */
  @Column({ type: 'integer', default: 0 })
  failures!: number;
}
