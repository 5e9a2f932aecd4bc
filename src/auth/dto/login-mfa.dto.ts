import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** The body of POST /login/mfa: the challenge's token and exactly one of the two kinds of code. */
export class LoginMfaDto {
  @ApiProperty({ description: "The `mfaToken` of POST /login's answer.", minLength: 1, maxLength: 64 })
  @MaxLength(64, { message: 'mfaToken must be at most 64 characters' })
  @IsNotEmpty({ message: 'mfaToken must not be empty' })
  @IsString({ message: 'mfaToken must be a string' })
  @IsDefined({ message: 'mfaToken is required' })
  mfaToken!: string;

  @ApiPropertyOptional({
    description: "The authenticator app's 6-digit code (or recoveryCode).",
    pattern: '^\\d{6}$',
    minLength: 6,
    maxLength: 6,
  })
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  @IsString({ message: 'code must be a string' })
  @IsOptional()
  code?: string;

  @ApiPropertyOptional({
    description: 'One of the recovery codes, `xxxxx-xxxxx` (or code); each works once.',
    minLength: 1,
    maxLength: 32,
  })
  @MaxLength(32, { message: 'recoveryCode must be at most 32 characters' })
  @IsNotEmpty({ message: 'recoveryCode must not be empty' })
  @IsString({ message: 'recoveryCode must be a string' })
  @IsOptional()
  recoveryCode?: string;
}
