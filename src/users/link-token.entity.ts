import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What a mailed link may do: a token works for its purpose only. */
export type LinkPurpose = 'verify_email' | 'reset_password';

/** A mailed link's token, kept only as its SHA-256 (docs/email.md#links). */
@Entity({ name: 'link_tokens' })
export class LinkTokenEntity {
  @PrimaryColumn({ name: 'id_hash', type: 'varchar', length: 64 })
  idHash!: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Column({ type: 'varchar', length: 16 })
  purpose!: LinkPurpose;

  /** The address a verification link was sent to: it verifies that address only. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: Date, nullable: true })
  usedAt!: Date | null;
}
