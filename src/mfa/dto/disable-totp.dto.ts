import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, MinLength } from 'class-validator';
import { PASSWORD_MAX_BYTES } from '../../common/validation/limits.js';
import { MaxBytes } from '../../common/validation/max-bytes.decorator.js';

/** The body of DELETE /user/mfa/totp: the password again, so a stolen session cannot turn it off. */
export class DisableTotpDto {
  @ApiProperty({
    minLength: 1,
    maxLength: PASSWORD_MAX_BYTES,
    description: `The account's password, at most ${PASSWORD_MAX_BYTES} bytes.`,
    example: '1234',
  })
  @MaxBytes(PASSWORD_MAX_BYTES)
  @MinLength(1, { message: 'password must not be empty' })
  @IsString({ message: 'password must be a string' })
  @IsDefined({ message: 'password is required' })
  password!: string;
}
