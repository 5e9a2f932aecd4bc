import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, Matches } from 'class-validator';

/** The body of POST /user/mfa/totp/confirm. */
export class TotpCodeDto {
  @ApiProperty({
    description: 'The 6-digit code the authenticator app shows now.',
    pattern: '^\\d{6}$',
    minLength: 6,
    maxLength: 6,
    example: '123456',
  })
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  @IsString({ message: 'code must be a string' })
  @IsDefined({ message: 'code is required' })
  code!: string;
}
