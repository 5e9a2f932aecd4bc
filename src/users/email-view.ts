import { ApiProperty } from '@nestjs/swagger';
import type { UserEntity } from './user.entity.js';

/** GET /user/email: the caller's address and its state. */
export class EmailView {
  @ApiProperty({ type: String, nullable: true, example: 'alice@example.com', description: 'null: none set.' })
  email!: string | null;

  @ApiProperty({ description: 'Whether the address has been confirmed through the link mailed to it.' })
  verified!: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description:
      'An address the user asked to change to (POST /user/email), awaiting confirmation through the ' +
      "link mailed to it; `email` stays the account's until then. null: none.",
  })
  pending!: string | null;
}

export function toEmailView(user: Pick<UserEntity, 'email' | 'emailVerifiedAt' | 'emailPending'>): EmailView {
  return {
    email: user.email,
    verified: user.email !== null && user.emailVerifiedAt !== null,
    pending: user.emailPending,
  };
}
