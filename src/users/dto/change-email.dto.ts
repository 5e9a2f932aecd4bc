import { IsEmailAddress } from '../../common/validation/email.decorators.js';
import { StepUpDto } from './step-up.dto.js';

/** The body of POST /user/email: the new address, and the step-up's current password. */
export class ChangeEmailDto extends StepUpDto {
  @IsEmailAddress('email')
  email!: string;
}
