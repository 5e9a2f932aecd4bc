import { ApiProperty } from '@nestjs/swagger';
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

/** What operators see of a user (the CLI's list): the profile and the account's state. */
export interface UserSummary extends UserProfile {
  disabled: boolean;
  createdAt: Date;
}

export function toUserSummary(user: Pick<UserEntity, 'id' | 'name' | 'disabled' | 'createdAt'>): UserSummary {
  return { ...toUserProfile(user), disabled: user.disabled, createdAt: user.createdAt };
}
