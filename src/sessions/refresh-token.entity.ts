import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A refresh token, stored only as the SHA-256 of its 256 random bits. */
@Entity({ name: 'refresh_tokens' })
export class RefreshTokenEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  @Index()
  @Column({ name: 'session_id', type: 'varchar', length: 36 })
  sessionId!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  /** When it was exchanged for a new pair; presenting it again later is a replay. */
  @Column({ name: 'spent_at', type: Date, nullable: true })
  spentAt!: Date | null;
}
