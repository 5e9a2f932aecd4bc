import { IsNewPassword } from '../../users/dto/password.rules.js';

/** The body of PUT /admin/users/:id/password. */
export class ResetPasswordDto {
  @IsNewPassword('newPassword')
  newPassword!: string;
}
