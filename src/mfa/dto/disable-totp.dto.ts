import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MinLength, ValidateBy, ValidateIf } from 'class-validator';
import { PASSWORD_MAX_BYTES } from '../../common/validation/limits.js';
import { MaxBytes } from '../../common/validation/max-bytes.decorator.js';
import { IsCurrentPassword } from '../../users/dto/password.rules.js';

/**
 * The body of DELETE /user/mfa/totp: the step-up (the password again), so a stolen session cannot
 * turn it off. `currentPassword`, as on every step-up; `password`, its first name, still works.
 * Exactly one of them: neither asks for `currentPassword`, both refuses `password`.
 */
export class DisableTotpDto {
  @IsCurrentPassword('currentPassword', { required: false })
  @ValidateIf((body: DisableTotpDto) => body.password === undefined || body.currentPassword !== undefined)
  currentPassword?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: PASSWORD_MAX_BYTES,
    description: `The same as \`currentPassword\` (at most ${PASSWORD_MAX_BYTES} bytes), its first name: send one of the two, not both.`,
    deprecated: true,
  })
  @MaxBytes(PASSWORD_MAX_BYTES)
  @MinLength(1, { message: 'password must not be empty' })
  @IsString({ message: 'password must be a string' })
  @ValidateBy({
    name: 'notWithCurrentPassword',
    validator: {
      validate: (_value, args) => (args?.object as DisableTotpDto).currentPassword === undefined,
      defaultMessage: () => 'password must not be sent with currentPassword: send one of them',
    },
  })
  @ValidateIf((body: DisableTotpDto) => body.password !== undefined)
  password?: string;
}
