import type { Role } from '../../common/request-context/role.js';
import { SignUpDto } from '../../users/dto/sign-up.dto.js';
import { IsOptionalEmailAddress } from '../../common/validation/email.decorators.js';
import { IsRoles } from './roles.rules.js';

/** The body of POST /admin/users: a sign-up's fields, and the roles (`user` unless given). */
export class CreateUserDto extends SignUpDto {
  @IsRoles()
  roles?: Role[];

  @IsOptionalEmailAddress('email')
  override email?: string;
}
