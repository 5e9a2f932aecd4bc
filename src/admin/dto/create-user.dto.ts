import type { Role } from '../../common/request-context/role.js';
import { SignUpDto } from '../../users/dto/sign-up.dto.js';
import { IsRoles } from './roles.rules.js';

/** The body of POST /admin/users: a sign-up's fields (the optional `email` among them), and the roles (`user` unless given). */
export class CreateUserDto extends SignUpDto {
  @IsRoles()
  roles?: Role[];
}
