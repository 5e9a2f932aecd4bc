import { ApiProperty } from '@nestjs/swagger';
import { IsDefined, IsString, MaxLength } from 'class-validator';
import { IsEmailAddress } from '../../common/validation/email.decorators.js';

/** The body of POST /login/email. */
export class LoginEmailDto {
  @IsEmailAddress('email')
  email!: string;
}

/** The body of POST /login/link. */
export class LoginLinkDto {
  @ApiProperty({
    description: 'The token from the mailed sign-in link (after `#token=`).',
    maxLength: 128,
    example: 'q8N2mS0k1yq2Hq3m6w0q2d4kq8Y8w0N6mS0k1yq2Hq3',
  })
  @MaxLength(128, { message: 'token must be at most 128 characters' })
  @IsString({ message: 'token must be a string' })
  @IsDefined({ message: 'token is required' })
  token!: string;
}
