import { IsCurrentPassword, IsNewPassword } from './password.rules.js';

/** The body of PUT /user/password. */
export class ChangePasswordDto {
  @IsCurrentPassword('currentPassword')
  currentPassword!: string;

  @IsNewPassword('newPassword')
  newPassword!: string;
}
