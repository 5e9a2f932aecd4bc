import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, MinLength } from 'class-validator';
import { MaxBytes } from '../../common/validation/max-bytes.decorator.js';
import { PASSWORD_MAX_BYTES } from '../../common/validation/limits.js';
import { IsNewPassword } from './password.rules.js';

/** The body of PUT /user/password. */
export class ChangePasswordDto {
  @ApiProperty({
    minLength: 1,
    maxLength: PASSWORD_MAX_BYTES,
    description: `At most ${PASSWORD_MAX_BYTES} bytes (UTF-8).`,
    example: '1234',
  })
  @MaxBytes(PASSWORD_MAX_BYTES)
  @MinLength(1, { message: 'currentPassword must not be empty' })
  @IsString({ message: 'currentPassword must be a string' })
  @IsDefined({ message: 'currentPassword is required' })
  currentPassword!: string;

  @IsNewPassword('newPassword')
  newPassword!: string;
}
