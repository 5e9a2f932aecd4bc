import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * What a mailed link may do: a token works for its purpose only. `invite` sets an invited
 * account's first password (and verifies its address); `sign_in` is a sign-in link.
 */
export type LinkPurpose = 'verify_email' | 'reset_password' | 'invite' | 'sign_in';

/** A mailed link's token, kept only as its SHA-256 (docs/email.md#links). */
@Entity({ name: 'link_tokens' })
export class LinkTokenEntity {
  @PrimaryColumn({ name: 'id_hash', type: 'varchar', length: 64 })
  idHash!: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Column({ type: 'varchar', length: 16 })
  purpose!: LinkPurpose;

  /** The address a verification, invite or sign-in link was sent to: it works for that address only. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Column({ name: 'expires_at', type: Date })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: Date, nullable: true })
  usedAt!: Date | null;
}
