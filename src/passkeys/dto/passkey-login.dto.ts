import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { credentialSchema, IsCredentialResponse } from '../credential-response.js';
import { CHALLENGE_ID_MAX_LENGTH } from '../passkey-limits.js';

/** The body of POST /login/passkey: the options' challengeId and the browser's signed answer. */
export class PasskeyLoginDto {
  @ApiProperty({
    description: 'The `challengeId` of POST /login/passkey/options.',
    maxLength: CHALLENGE_ID_MAX_LENGTH,
  })
  @MaxLength(CHALLENGE_ID_MAX_LENGTH, {
    message: `challengeId must be at most ${CHALLENGE_ID_MAX_LENGTH} characters`,
  })
  @IsNotEmpty({ message: 'challengeId must not be empty' })
  @IsString({ message: 'challengeId must be a string' })
  @IsDefined({ message: 'challengeId is required' })
  challengeId!: string;

  @ApiProperty(credentialSchema('authentication'))
  @IsCredentialResponse('authentication')
  @IsDefined({ message: 'response is required' })
  response!: Record<string, unknown>;
}
