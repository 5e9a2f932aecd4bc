import { Body, Controller, Header, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../common/request-context/actor.js';
import type { AuthUser } from '../common/request-context/auth-user.js';
import { CurrentActor } from '../common/request-context/current-actor.decorator.js';
import { CurrentUser } from '../common/request-context/current-user.decorator.js';
import {
  ACCESS_TOKEN_ERRORS,
  ApiErrorResponses,
  JSON_BODY_ERRORS,
  NO_STORE,
} from '../docs/api-error-responses.decorator.js';
import { AddressThrottlerGuard } from '../throttling/address-throttler.guard.js';
import { ChangeEmailDto } from './dto/change-email.dto.js';
import { EmailChangeService } from './email-change.service.js';
import { EmailView } from './email-view.js';

/**
 * The signed-in user's own address change (docs/email.md#email-change). Registered with the other
 * mail routes (AccountMailModule): with mail off it answers 404, as no link could confirm it.
 */
@ApiTags('users')
@Controller('user')
export class EmailChangeController {
  constructor(private readonly changes: EmailChangeService) {}

  @Post('email')
  @UseGuards(AddressThrottlerGuard)
  @HttpCode(HttpStatus.ACCEPTED)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: "Change the caller's address (the password again): pending until its mailed link confirms it",
    description:
      'The step-up: `currentPassword` proves the caller is the owner (docs/security.md#step-up); a ' +
      "wrong one counts toward the account's hold. The new address gets a verification link and is " +
      '`pending`; `email` stays the old address until `POST /email/verify` with that link, which then ' +
      'mails the old verified address a notice. The answer is the same whether or not another account ' +
      'uses the address.',
  })
  @ApiAcceptedResponse({
    type: EmailView,
    headers: NO_STORE,
    description: 'The link is on its way: the address as it now stands, the new one `pending`.',
  })
  @ApiErrorResponses({
    400: 'currentPassword is missing or wrong, email is not one bare address (see the schema), or the body is malformed.',
    ...ACCESS_TOKEN_ERRORS,
    ...JSON_BODY_ERRORS,
    429:
      'Too many attempts from this address (LOGIN_RATE_LIMIT a minute), or too many failed password ' +
      'checks for this account, at login or here (LOGIN_FAILURE_LIMIT).',
  })
  change(
    @CurrentUser() user: AuthUser,
    @Body() body: ChangeEmailDto,
    @CurrentActor() actor: Actor,
  ): Promise<EmailView> {
    return this.changes.request(user.id, body.email, body.currentPassword, actor);
  }
}
