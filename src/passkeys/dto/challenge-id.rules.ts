import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { CHALLENGE_ID_MAX_LENGTH } from '../passkey-limits.js';

/**
 * A ceremony's `challengeId`, as both bodies that answer one carry it (registration and sign-in):
 * `from` names the options route it came from, for the OpenAPI description.
 */
export const ChallengeIdRules = (from: string): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      description: `The \`challengeId\` of ${from}.`,
      minLength: 1,
      maxLength: CHALLENGE_ID_MAX_LENGTH,
    }),
    // Checked in this order, the first failure answered.
    IsDefined({ message: 'challengeId is required' }),
    IsString({ message: 'challengeId must be a string' }),
    IsNotEmpty({ message: 'challengeId must not be empty' }),
    MaxLength(CHALLENGE_ID_MAX_LENGTH, {
      message: `challengeId must be at most ${CHALLENGE_ID_MAX_LENGTH} characters`,
    }),
  );
