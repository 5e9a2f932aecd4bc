import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One of a user's recovery codes, hashed (recovery-codes.ts); spent once. */
@Entity({ name: 'recovery_codes' })
@Index('IDX_recovery_codes_user_hash', ['userId', 'codeHash'], { unique: true })
export class RecoveryCodeEntity {
  @PrimaryGeneratedColumn('increment')
  id!: number;

  @Column({ name: 'user_id', type: 'integer' })
  userId!: number;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash!: string;

  @Column({ name: 'used_at', type: Date, nullable: true })
  usedAt!: Date | null;
}
