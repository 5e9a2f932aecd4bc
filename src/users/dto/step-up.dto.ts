import { IsCurrentPassword } from './password.rules.js';

/**
 * The body of a request that changes how the account signs in (adding a passkey, setting up
 * TOTP; later an email change, linking an upstream identity): proof beyond the access token,
 * checked by UsersService.proveStepUp. A route that takes more fields extends this class.
 */
export class StepUpDto {
  @IsCurrentPassword('currentPassword')
  currentPassword!: string;
}
