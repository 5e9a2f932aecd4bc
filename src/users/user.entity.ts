import type { Role } from '../common/request-context/role.js';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A stored account. Only the users module sees this class; others get a UserProfile. */
@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  /** The name as the user chose it, shown back to them. */
  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** `name` folded for comparison (see `nameKey()`): unique, so "Admin" cannot sit beside "admin". */
  @Column({ name: 'name_key', type: 'varchar', length: 255, unique: true })
  nameKey!: string;

  /**
   * What `name` looks like (`nameSkeleton()`): unique, so no name can be taken that looks like a
   * taken one. NULL only for a row that already looked like an older one when this was added.
   */
  @Index('IDX_users_name_skeleton', { unique: true })
  @Column({ name: 'name_skeleton', type: 'varchar', length: 255, nullable: true })
  nameSkeleton!: string | null;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'boolean', default: false })
  disabled!: boolean;

  /** Comma-separated in the column (`simple-array`): a set of ROLES, never empty. */
  @Column({ type: 'simple-array', default: 'user' })
  roles!: Role[];

  /** The account's mail address as typed (docs/email.md), NULL for none. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  /** `emailKey(email)` once the address is verified, else NULL: unique among verified addresses. */
  @Index('IDX_users_email_key', { unique: true })
  @Column({ name: 'email_key', type: 'varchar', length: 254, nullable: true })
  emailKey!: string | null;

  @Column({ name: 'email_verified_at', type: Date, nullable: true })
  emailVerifiedAt!: Date | null;

  /** An address the user asked to change to (POST /user/email), until its link confirms it. */
  @Column({ name: 'email_pending', type: 'varchar', length: 254, nullable: true })
  emailPending!: string | null;

  /** The last successful login, NULL before the first (or before roles were added). */
  @Column({ name: 'last_login_at', type: Date, nullable: true })
  lastLoginAt!: Date | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
