import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { NAME_MAX_LENGTH } from '../../common/validation/limits.js';
import { IsNewPassword } from './password.rules.js';

/** The body of POST /users (sign-up). */
export class SignUpDto {
  @ApiProperty({
    description:
      'Any characters but control characters, without surrounding spaces; unique case-insensitively.',
    minLength: 1,
    maxLength: NAME_MAX_LENGTH,
    example: 'alice',
  })
  // No control characters and no surrounding spaces: a name is shown to people and typed back.
  @Matches(/^\S(?:[^\p{Cc}\p{Cf}]*\S)?$/u, {
    message: 'name must not start or end with a space or hold control characters',
  })
  @MaxLength(NAME_MAX_LENGTH, { message: `name must be at most ${NAME_MAX_LENGTH} characters` })
  @MinLength(1, { message: 'name must not be empty' })
  @IsString({ message: 'name must be a string' })
  @IsDefined({ message: 'name is required' })
  name!: string;

  @IsNewPassword('password')
  password!: string;
}
