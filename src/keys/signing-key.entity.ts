import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { KeyAlgorithm } from './key-material.js';

/**
 * A signing key pair. The public half is kept as the JWK the JWKS publishes; the private half
 * only encrypted (key-material.ts), so a copy of the database alone cannot sign a token.
 * Its state (next, active, retiring...) follows from the times (key-states.ts).
 */
@Entity({ name: 'signing_keys' })
export class SigningKeyEntity {
  /** The RFC 7638 thumbprint of the public key. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid!: string;

  @Column({ type: 'varchar', length: 8 })
  algorithm!: KeyAlgorithm;

  /** JSON of the public JWK. */
  @Column({ name: 'public_jwk', type: 'text' })
  publicJwk!: string;

  /** `v1.<iv>.<ciphertext>.<tag>` (AES-256-GCM). */
  @Column({ name: 'private_key', type: 'text' })
  privateKey!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'activates_at', type: Date })
  activatesAt!: Date;

  @Column({ name: 'revoked_at', type: Date, nullable: true })
  revokedAt!: Date | null;
}
