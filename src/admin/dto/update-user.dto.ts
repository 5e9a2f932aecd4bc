import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import type { Role } from '../../common/request-context/role.js';
import { IsOptionalEmailAddress } from '../../common/validation/email.decorators.js';
import { IsRoles } from './roles.rules.js';

/** The body of PATCH /admin/users/:id: what to change; a field left out stays as it is. */
export class UpdateUserDto {
  @ApiPropertyOptional({ description: 'true disables the account and ends its sessions.' })
  @IsBoolean({ message: 'disabled must be a boolean' })
  @IsOptional()
  disabled?: boolean;

  @IsRoles()
  roles?: Role[];

  /** A new address replaces the old one, unverified. */
  @IsOptionalEmailAddress('email')
  email?: string;
}
