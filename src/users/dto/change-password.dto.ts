import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, MinLength } from 'class-validator';
import { MaxBytes } from '../../auth/dto/max-bytes.decorator.js';
import { IsNewPassword, PASSWORD_MAX_BYTES } from './password.rules.js';

/** The body of PUT /user/password. */
export class ChangePasswordDto {
  @ApiProperty({ minLength: 1, description: `At most ${PASSWORD_MAX_BYTES} bytes (UTF-8).`, example: '1234' })
  @MaxBytes(PASSWORD_MAX_BYTES)
  @MinLength(1, { message: 'currentPassword must not be empty' })
  @IsString({ message: 'currentPassword must be a string' })
  @IsDefined({ message: 'currentPassword is required' })
  currentPassword!: string;

  @IsNewPassword('newPassword')
  newPassword!: string;
}
