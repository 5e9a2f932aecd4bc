import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, MinLength } from 'class-validator';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_LENGTH } from '../../common/validation/limits.js';
import { MaxBytes } from '../../common/validation/max-bytes.decorator.js';
import { MinChars } from '../../common/validation/text.decorators.js';

/**
 * A new password (NIST SP 800-63B): at least 8 characters, at most 1024 bytes, any characters
 * (spaces and emoji too), no composition rules. Compared exactly, never trimmed. Documents
 * itself in the OpenAPI schema.
 */
export const IsNewPassword = (property: string) =>
  applyDecorators(
    ApiProperty({
      description: `At least ${PASSWORD_MIN_LENGTH} characters and at most ${PASSWORD_MAX_BYTES} bytes (UTF-8), any characters.`,
      minLength: PASSWORD_MIN_LENGTH,
      // A bound on characters that the byte limit implies (a character is at least one byte).
      maxLength: PASSWORD_MAX_BYTES,
      example: 'correct horse battery staple',
    }),
    MaxBytes(PASSWORD_MAX_BYTES),
    MinChars(PASSWORD_MIN_LENGTH),
    IsString({ message: `${property} must be a string` }),
    IsDefined({ message: `${property} is required` }),
  );

/**
 * The account's present password, given again as proof (PUT /user/password, the step-up of
 * every sign-in change): any non-empty string up to the byte limit, never held to the new-password
 * rules (an old account's password may predate them).
 */
export const IsCurrentPassword = (property: string, { required = true } = {}) =>
  applyDecorators(
    ApiProperty({
      required,
      minLength: 1,
      maxLength: PASSWORD_MAX_BYTES,
      description: `The account's current password, at most ${PASSWORD_MAX_BYTES} bytes (UTF-8).`,
      example: '1234',
    }),
    MaxBytes(PASSWORD_MAX_BYTES),
    MinLength(1, { message: `${property} must not be empty` }),
    IsString({ message: `${property} must be a string` }),
    IsDefined({ message: `${property} is required` }),
  );
