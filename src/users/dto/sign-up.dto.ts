import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString } from 'class-validator';
import { NAME_POLICY_SUMMARY } from '../../common/validation/account-name.js';
import { NAME_MAX_LENGTH } from '../../common/validation/limits.js';
import { IsOptionalEmailAddress } from '../../common/validation/email.decorators.js';
import { IsAccountName } from '../../common/validation/text.decorators.js';
import { IsNewPassword } from './password.rules.js';

/** The body of POST /users (sign-up). */
export class SignUpDto {
  @ApiProperty({
    description:
      `The account's name: ${NAME_POLICY_SUMMARY}. Taken in Unicode NFC; unique case-insensitively, ` +
      'and refused when it looks like a taken name (see docs/users.md).',
    minLength: 1,
    maxLength: NAME_MAX_LENGTH,
    example: 'alice',
  })
  @IsAccountName()
  @IsString({ message: 'name must be a string' })
  @IsDefined({ message: 'name is required' })
  name!: string;

  @IsNewPassword('password')
  password!: string;

  /** Stored unverified, and a link mailed to confirm it; required when SIGNUP_REQUIRE_EMAIL=true. */
  @IsOptionalEmailAddress('email')
  email?: string;
}
