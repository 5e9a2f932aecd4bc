import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A signature counter fits 32 bits unsigned: a bigint column, read back as a number on PostgreSQL too. */
const counterColumn = { from: (value: string | number) => Number(value), to: (value: number) => value };

/** One of a user's passkeys: a WebAuthn credential's public key (never shown), named by its owner. */
@Entity({ name: 'passkeys' })
export class PasskeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('IDX_passkeys_user_id')
  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** The credential id, base64url, as the authenticator returns it at every sign-in. */
  @Index('IDX_passkeys_credential_id', { unique: true })
  @Column({ name: 'credential_id', type: 'varchar', length: 1400 })
  credentialId!: string;

  /** The COSE public key, base64url. */
  @Column({ name: 'public_key', type: 'text' })
  publicKey!: string;

  /** The last signature counter seen: a later one must be higher (unless both are 0). */
  @Column({ type: 'bigint', transformer: counterColumn })
  counter!: number;

  /** How the browser may reach the authenticator (usb, internal, hybrid...), comma-separated. */
  @Column({ type: 'varchar', length: 255 })
  transports!: string;

  /** The WebAuthn user handle (base64url) the authenticator stores with the credential. */
  @Column({ name: 'user_handle', type: 'varchar', length: 128 })
  userHandle!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: Date, nullable: true })
  lastUsedAt!: Date | null;
}
