import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user's TOTP authenticator: pending until confirmed with a code, then active. */
@Entity({ name: 'totp_credentials' })
export class TotpCredentialEntity {
  @PrimaryColumn({ name: 'user_id', type: 'integer' })
  userId!: number;

  /** The secret, sealed (common/crypto/sealing.ts) with the user id as its authenticated data. */
  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'confirmed_at', type: Date, nullable: true })
  confirmedAt!: Date | null;

  /** The last time step accepted: a code is taken only for a later one (replay). */
  @Column({ name: 'last_step', type: 'integer', nullable: true })
  lastStep!: number | null;

  /**
   * Second-factor attempts (TOTP or recovery code) that failed since the last success: only a
   * success or an operator's reset clears it, never time. At MFA_FAILURE_LIMIT codes stop being checked.
   */
  @Column({ name: 'failed_attempts', type: 'integer', default: 0 })
  failedAttempts!: number;
}
