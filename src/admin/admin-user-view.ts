import { ApiProperty } from '@nestjs/swagger';
import { ROLES, type Role } from '../common/request-context/role.js';
import type { UserSummary } from '../users/user-profile.js';

/** What the admin API shows of an account: never the hash. */
export class AdminUserView {
  @ApiProperty({ type: 'integer', example: 2 })
  id!: number;

  @ApiProperty({ example: 'alice' })
  name!: string;

  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...ROLES] }, example: ['user'] })
  roles!: Role[];

  @ApiProperty({ description: 'A disabled account cannot log in; its tokens are refused.' })
  disabled!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'null before the first login.',
  })
  lastLoginAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'alice@example.com', description: 'null: none set.' })
  email!: string | null;

  @ApiProperty({ description: 'Whether the address has been confirmed through the link mailed to it.' })
  emailVerified!: boolean;
}

export class AdminUserPage {
  @ApiProperty({ type: [AdminUserView] })
  items!: AdminUserView[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last one.',
  })
  nextCursor!: string | null;
}

export function toAdminUserView(user: UserSummary): AdminUserView {
  return {
    id: user.id,
    name: user.name,
    roles: user.roles,
    disabled: user.disabled,
    createdAt: user.createdAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    email: user.email,
    emailVerified: user.emailVerified,
  };
}
