import { ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsDefined, IsString, ValidateIf } from 'class-validator';
import type { Role } from '../../common/request-context/role.js';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../../common/validation/limits.js';
import { MaxBytes } from '../../common/validation/max-bytes.decorator.js';
import { MinChars } from '../../common/validation/text.decorators.js';
import { SignUpDto } from '../../users/dto/sign-up.dto.js';
import { IsOptionalEmailAddress } from '../../common/validation/email.decorators.js';
import { IsRoles } from './roles.rules.js';

/** A sign-up's name, and the password that an invite leaves out (CreateUserDto). */
class NameAndOptionalPassword extends PickType(SignUpDto, ['name'] as const) {
  @ApiPropertyOptional({
    description:
      `At least ${PASSWORD_MIN_LENGTH} characters and at most ${PASSWORD_MAX_BYTES} bytes (UTF-8), any ` +
      'characters. Required unless `email` is given: without it the account is invited (a link to ' +
      'choose its first password is mailed to `email`).',
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_BYTES,
    example: 'correct horse battery staple',
  })
  @MaxBytes(PASSWORD_MAX_BYTES)
  @MinChars(PASSWORD_MIN_LENGTH)
  @IsString({ message: 'password must be a string' })
  @IsDefined({ message: 'password is required (or an email, to invite the user)' })
  // Checked when given; required without an email.
  @ValidateIf(
    (body: { password?: unknown; email?: unknown }) =>
      body.password !== undefined || body.email === undefined,
  )
  password?: string;
}

/**
 * The body of POST /admin/users: a sign-up's name, the roles (`user` unless given), and a
 * password, or else an email to invite (docs/email.md#invites).
 */
export class CreateUserDto extends NameAndOptionalPassword {
  @IsRoles()
  roles?: Role[];

  @IsOptionalEmailAddress('email')
  email?: string;
}
