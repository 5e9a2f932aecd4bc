import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';
import { MaxChars } from '../../common/validation/text.decorators.js';
import { PASSKEY_NAME_MAX_LENGTH } from '../passkey-limits.js';
import { ChallengeIdRules } from './challenge-id.rules.js';
import { credentialSchema, IsCredentialResponse } from '../credential-response.js';

/** The body of POST /user/passkeys: the options' challengeId, the browser's answer, a name. */
export class AddPasskeyDto {
  @ChallengeIdRules('POST /user/passkeys/registration-options')
  challengeId!: string;

  @ApiPropertyOptional({
    description:
      `What the passkey is called in the list, 1 to ${PASSKEY_NAME_MAX_LENGTH} characters once ` +
      'trimmed, no control characters. Default: "Passkey".',
    minLength: 1,
    maxLength: PASSKEY_NAME_MAX_LENGTH,
    example: 'Laptop',
  })
  // Trimmed before the rules run, so that "  " is refused as empty and the limit counts what is kept.
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @MaxChars(PASSKEY_NAME_MAX_LENGTH)
  @Matches(/^\P{Cc}*$/u, { message: 'name must not contain control characters' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @IsString({ message: 'name must be a string' })
  @IsOptional()
  name?: string;

  @ApiProperty(credentialSchema('registration'))
  @IsCredentialResponse('registration')
  @IsDefined({ message: 'response is required' })
  response!: Record<string, unknown>;
}
