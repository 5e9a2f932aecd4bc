import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, MaxLength } from 'class-validator';
import { IsEmailAddress } from '../../common/validation/email.decorators.js';
import { IsNewPassword } from './password.rules.js';

const TOKEN = () =>
  ApiProperty({
    description: 'The token from the mailed link (after `#token=`).',
    maxLength: 128,
    example: 'q8N2mS0k1yq2Hq3m6w0q2d4kq8Y8w0N6mS0k1yq2Hq3',
  });

/** The body of POST /email/verify. */
export class VerifyEmailDto {
  @TOKEN()
  @MaxLength(128, { message: 'token must be at most 128 characters' })
  @IsString({ message: 'token must be a string' })
  @IsDefined({ message: 'token is required' })
  token!: string;
}

/** The body of POST /email/verify/resend. */
export class ResendVerificationDto {
  @ApiProperty({ description: "The account's name.", maxLength: 64, example: 'alice' })
  @MaxLength(64, { message: 'name must be at most 64 characters' })
  @IsString({ message: 'name must be a string' })
  @IsDefined({ message: 'name is required' })
  name!: string;
}

/** The body of POST /password/forgot. */
export class ForgotPasswordDto {
  @IsEmailAddress('email')
  email!: string;
}

/** The body of POST /password/reset. */
export class ResetPasswordWithTokenDto {
  @TOKEN()
  @MaxLength(128, { message: 'token must be at most 128 characters' })
  @IsString({ message: 'token must be a string' })
  @IsDefined({ message: 'token is required' })
  token!: string;

  @IsNewPassword('newPassword')
  newPassword!: string;
}
