import { ApiProperty } from '@nestjs/swagger';
import { IsDefined } from 'class-validator';
import { ChallengeIdRules } from './challenge-id.rules.js';
import { credentialSchema, IsCredentialResponse } from '../credential-response.js';

/** The body of POST /login/passkey: the options' challengeId and the browser's signed answer. */
export class PasskeyLoginDto {
  @ChallengeIdRules('POST /login/passkey/options')
  challengeId!: string;

  @ApiProperty(credentialSchema('authentication'))
  @IsCredentialResponse('authentication')
  @IsDefined({ message: 'response is required' })
  response!: Record<string, unknown>;
}
