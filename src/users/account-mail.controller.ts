import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNoContentResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '../common/request-context/actor.js';
import { CurrentActor } from '../common/request-context/current-actor.decorator.js';
import { Public } from '../common/request-context/public.decorator.js';
import { ApiErrorResponses, JSON_BODY_ERRORS } from '../docs/api-error-responses.decorator.js';
import { AddressThrottlerGuard } from '../throttling/address-throttler.guard.js';
import {
  ForgotPasswordDto,
  ResendVerificationDto,
  ResetPasswordWithTokenDto,
  VerifyEmailDto,
} from './dto/account-mail.dto.js';
import { PasswordResetService } from './password-reset.service.js';
import { UserEmailService } from './user-email.service.js';

/** The one answer of the routes that must not say whether an account or address exists. */
export class AcceptedView {
  @ApiProperty({ example: 'If the account exists and mail can reach it, a mail is on its way.' })
  message!: string;
}
export const ACCEPTED: AcceptedView = {
  message: 'If the account exists and mail can reach it, a mail is on its way.',
};

const THROTTLED = { 429: 'Too many attempts from this address (LOGIN_RATE_LIMIT a minute).' };
const BAD_TOKEN =
  'The token is invalid, used, expired or for another purpose (one answer for all), or a malformed body.';

/**
 * The mail flows that need no sign-in (docs/email.md). Registered only when mail is on
 * (AccountMailModule): in production without SMTP_URL they answer 404.
 */
@ApiTags('email')
@Public()
@UseGuards(AddressThrottlerGuard)
@Controller()
export class AccountMailController {
  constructor(
    private readonly emails: UserEmailService,
    private readonly resets: PasswordResetService,
  ) {}

  @Post('email/verify')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Confirm an address with the token of its mailed link' })
  @ApiNoContentResponse({ description: 'Verified.' })
  @ApiErrorResponses({
    400: BAD_TOKEN,
    409: 'Another account has verified this address.',
    ...JSON_BODY_ERRORS,
    ...THROTTLED,
  })
  async verify(@Body() body: VerifyEmailDto, @CurrentActor() actor: Actor): Promise<void> {
    await this.emails.verify(body.token, actor);
  }

  @Post('email/verify/resend')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: "Mail a new verification link to an account's unverified address" })
  @ApiAcceptedResponse({ type: AcceptedView, description: 'The same answer whatever the name.' })
  @ApiErrorResponses({ 400: 'A malformed body.', ...JSON_BODY_ERRORS, ...THROTTLED })
  async resend(@Body() body: ResendVerificationDto, @CurrentActor() actor: Actor): Promise<AcceptedView> {
    await this.emails.resend(body.name, actor);
    return ACCEPTED;
  }

  @Post('password/forgot')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Mail a password reset link to a verified address' })
  @ApiAcceptedResponse({
    type: AcceptedView,
    description: 'The same answer whether or not the address is known.',
  })
  @ApiErrorResponses({ 400: 'A malformed body (not one bare address).', ...JSON_BODY_ERRORS, ...THROTTLED })
  async forgot(@Body() body: ForgotPasswordDto, @CurrentActor() actor: Actor): Promise<AcceptedView> {
    await this.resets.forgot(body.email, actor);
    return ACCEPTED;
  }

  @Post('password/reset')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Set a new password with a reset link's token; every session ends" })
  @ApiNoContentResponse({ description: 'Changed; log in with the new password (two-factor still asked).' })
  @ApiErrorResponses({ 400: BAD_TOKEN, ...JSON_BODY_ERRORS, ...THROTTLED })
  async reset(@Body() body: ResetPasswordWithTokenDto, @CurrentActor() actor: Actor): Promise<void> {
    await this.resets.reset(body.token, body.newPassword, actor);
  }
}
