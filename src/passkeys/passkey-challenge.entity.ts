import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * What a challenge may finish. A registration's is `proven_reg`: made only after the step-up
 * (UsersService.proveStepUp). The value `registration`, written before the step-up existed, is
 * never accepted again, so no registration started on an access token alone can finish.
 */
export type ChallengePurpose = 'proven_reg' | 'authentication';

/**
 * A WebAuthn challenge handed out with a ceremony's options, in the database so that any instance
 * can finish the ceremony another started. Keyed by the SHA-256 of its challengeId; deleted by
 * the first attempt that presents it, whatever the outcome.
 */
@Entity({ name: 'passkey_challenges' })
export class PasskeyChallengeEntity {
  @PrimaryColumn({ name: 'id_hash', type: 'varchar', length: 64 })
  idHash!: string;

  @Column({ type: 'varchar', length: 16 })
  purpose!: ChallengePurpose;

  /** Whose registration it is; null for a sign-in (the passkey says whose it is). */
  @Column({ name: 'user_id', type: 'integer', nullable: true })
  userId!: number | null;

  /** The challenge itself, base64url: what the authenticator signs over. */
  @Column({ type: 'varchar', length: 128 })
  challenge!: string;

  /** For a registration: the user handle the options named, stored with the new passkey. */
  @Column({ name: 'user_handle', type: 'varchar', length: 128, nullable: true })
  userHandle!: string | null;

  @Index('IDX_passkey_challenges_expires_at')
  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;
}
