import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsNotEmpty, IsString } from 'class-validator';
import { NAME_MAX_LENGTH, PASSWORD_MAX_BYTES } from '../../common/validation/limits.js';
import { MaxBytes } from '../../common/validation/max-bytes.decorator.js';
import { MaxChars } from '../../common/validation/text.decorators.js';

/**
 * The body of POST /login. Unknown properties are refused by the global validation pipe,
 * which also stops at a property's first failed rule. Decorators run bottom-up, so each
 * property lists its rules from the most specific to the most basic.
 */
export class LoginDto {
  @ApiProperty({
    description:
      'The account name, compared case-insensitively. Not checked against the name policy (no ' +
      `pattern): accounts named before it must still log in. Any well-formed string of 1 to ${NAME_MAX_LENGTH} characters.`,
    minLength: 1,
    maxLength: NAME_MAX_LENGTH,
    example: 'admin',
  })
  @MaxChars(NAME_MAX_LENGTH)
  @IsNotEmpty({ message: 'name must not be empty' })
  @IsString({ message: 'name must be a string' })
  @IsDefined({ message: 'name is required' })
  name!: string;

  @ApiProperty({
    description: `At most ${PASSWORD_MAX_BYTES} bytes (UTF-8).`,
    minLength: 1,
    maxLength: PASSWORD_MAX_BYTES,
    example: '1234',
  })
  @MaxBytes(PASSWORD_MAX_BYTES)
  @IsNotEmpty({ message: 'password must not be empty' })
  @IsString({ message: 'password must be a string' })
  @IsDefined({ message: 'password is required' })
  password!: string;
}
