import { Body, Controller, Get, Header, HttpCode, HttpStatus, Put, UseGuards } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { EmailView } from './email-view.js';
import { UserEmailService } from './user-email.service.js';
import { UserProfile } from './user-profile.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller('user')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly emails: UserEmailService,
  ) {}

  /** The caller, as the token and the user store agree on them. Guarded by the global JwtAuthGuard. */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The caller' })
  @ApiOkResponse({ type: UserProfile, headers: NO_STORE })
  @ApiErrorResponses(ACCESS_TOKEN_ERRORS)
  me(@CurrentUser() user: AuthUser): UserProfile {
    return { id: user.id, name: user.name };
  }

  /** The caller's mail address and its state; `GET /user` stays {id, name}. */
  @Get('email')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "The caller's mail address and whether it is verified" })
  @ApiOkResponse({ type: EmailView, headers: NO_STORE })
  @ApiErrorResponses(ACCESS_TOKEN_ERRORS)
  email(@CurrentUser() user: AuthUser): Promise<EmailView> {
    return this.emails.view(user.id);
  }

  /** Changes the caller's password; every other session of theirs ends. */
  @Put('password')
  @UseGuards(AddressThrottlerGuard)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Change the caller's password; their other sessions end" })
  @ApiNoContentResponse({ description: 'Changed.' })
  @ApiErrorResponses({
    400: 'currentPassword is wrong, or the body is malformed (the new password too short, too long...).',
    ...ACCESS_TOKEN_ERRORS,
    ...JSON_BODY_ERRORS,
    429:
      'Too many attempts from this address (LOGIN_RATE_LIMIT a minute), or too many failed password ' +
      'checks for this account, at login or here (LOGIN_FAILURE_LIMIT).',
  })
  async changePassword(
    @CurrentUser() user: AuthUser,
    @Body() body: ChangePasswordDto,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.users.changePassword(user.id, body.currentPassword, body.newPassword, actor);
  }
}
