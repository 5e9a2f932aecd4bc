import type { UserEntity } from './user.entity.js';

/** What the API shows of a user: never the hash, never the flags. */
export interface UserProfile {
  id: number;
  name: string;
}

export function toUserProfile(user: Pick<UserEntity, 'id' | 'name'>): UserProfile {
  return { id: user.id, name: user.name };
}
