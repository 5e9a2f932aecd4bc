import { ApiProperty } from '@nestjs/swagger';
import type { Role } from '../common/request-context/role.js';
import type { UserEntity } from './user.entity.js';

/** What the API shows of a user: never the hash, never the flags. */
export class UserProfile {
  @ApiProperty({ type: 'integer', example: 1 })
  id!: number;

  @ApiProperty({ example: 'admin' })
  name!: string;
}

export function toUserProfile(user: Pick<UserEntity, 'id' | 'name'>): UserProfile {
  return { id: user.id, name: user.name };
}

/** An enabled account as every authenticated request sees it: the profile and the roles. */
export interface ActiveUser extends UserProfile {
  roles: readonly Role[];
}

export function toActiveUser(user: Pick<UserEntity, 'id' | 'name' | 'roles'>): ActiveUser {
  return { ...toUserProfile(user), roles: [...user.roles] };
}

/** What operators see of a user (the CLI's list, the admin API): the profile and the account's state. */
export interface UserSummary extends UserProfile {
  roles: Role[];
  disabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
  email: string | null;
  emailVerified: boolean;
}

export function toUserSummary(
  user: Pick<
    UserEntity,
    'id' | 'name' | 'roles' | 'disabled' | 'createdAt' | 'lastLoginAt' | 'email' | 'emailVerifiedAt'
  >,
): UserSummary {
  return {
    ...toUserProfile(user),
    roles: [...user.roles],
    disabled: user.disabled,
    createdAt: user.createdAt,
    lastLoginAt: user.lastLoginAt,
    email: user.email,
    emailVerified: user.email !== null && user.emailVerifiedAt !== null,
  };
}
