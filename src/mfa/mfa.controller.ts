import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
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
import { StepUpDto } from '../users/dto/step-up.dto.js';
import { DisableTotpDto } from './dto/disable-totp.dto.js';
import { TotpCodeDto } from './dto/totp-code.dto.js';
import { MfaStatusView, RecoveryCodesView, TotpEnrolmentView } from './mfa-views.js';
import { MfaService } from './mfa.service.js';

/** The caller's own second factor. Guarded by the global JwtAuthGuard. */
@ApiTags('mfa')
@Controller('user/mfa')
export class MfaController {
  constructor(private readonly mfa: MfaService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "Which second factors the caller's account has on" })
  @ApiOkResponse({ type: MfaStatusView, headers: NO_STORE })
  @ApiErrorResponses(ACCESS_TOKEN_ERRORS)
  status(@CurrentUser() user: AuthUser): Promise<MfaStatusView> {
    return this.mfa.status(user.id);
  }

  @Post('totp')
  @UseGuards(AddressThrottlerGuard)
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Start setting up TOTP (the password again): a new secret, its otpauth URI and QR code (SVG)',
    description:
      'The step-up: `currentPassword` proves the caller is the owner, not only a holder of the ' +
      'access token (docs/security.md#step-up). Not on until confirmed with a code within 10 ' +
      'minutes; starting again replaces a pending secret.',
  })
  @ApiOkResponse({ type: TotpEnrolmentView, headers: NO_STORE })
  @ApiErrorResponses({
    400: 'currentPassword is missing or wrong, or the body is malformed.',
    ...ACCESS_TOKEN_ERRORS,
    409: 'Two-factor authentication is already on: turn it off first.',
    ...JSON_BODY_ERRORS,
    429:
      'Too many attempts from this address (LOGIN_RATE_LIMIT a minute), or too many failed password ' +
      'checks for this account (LOGIN_FAILURE_LIMIT).',
  })
  start(
    @CurrentUser() user: AuthUser,
    @Body() { currentPassword }: StepUpDto,
    @CurrentActor() actor: Actor,
  ): Promise<TotpEnrolmentView> {
    return this.mfa.startTotp(user, { password: currentPassword, field: 'currentPassword' }, actor);
  }

  @Post('totp/confirm')
  @UseGuards(AddressThrottlerGuard)
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Turn TOTP on with a code from the app; answers the 10 recovery codes, once',
    description: "The caller's other sessions end.",
  })
  @ApiOkResponse({ type: RecoveryCodesView, headers: NO_STORE })
  @ApiErrorResponses({
    400: 'The code is wrong (or not 6 digits), or the body is malformed.',
    ...ACCESS_TOKEN_ERRORS,
    409: 'No set-up is pending (none started, or started over 10 minutes ago): POST /user/mfa/totp first.',
    ...JSON_BODY_ERRORS,
    429: 'Too many attempts from this address (LOGIN_RATE_LIMIT a minute).',
  })
  confirm(
    @CurrentUser() user: AuthUser,
    @Body() { code }: TotpCodeDto,
    @CurrentActor() actor: Actor,
  ): Promise<RecoveryCodesView> {
    return this.mfa.confirmTotp(user, code, actor);
  }

  @Delete('totp')
  @UseGuards(AddressThrottlerGuard)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Turn TOTP off (the password again); the other sessions end',
    description: 'The step-up: `currentPassword` (or `password`, its first name; one of the two).',
  })
  @ApiNoContentResponse({ description: 'Off: the recovery codes are gone too.' })
  @ApiErrorResponses({
    400: 'The password is missing or wrong, both fields were sent, or the body is malformed.',
    ...ACCESS_TOKEN_ERRORS,
    404: 'Two-factor authentication is not on.',
    ...JSON_BODY_ERRORS,
    429:
      'Too many attempts from this address (LOGIN_RATE_LIMIT a minute), or too many failed password ' +
      'checks for this account (LOGIN_FAILURE_LIMIT).',
  })
  async disable(
    @CurrentUser() user: AuthUser,
    @Body() { currentPassword, password }: DisableTotpDto,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    // The DTO lets exactly one through.
    const proof =
      currentPassword !== undefined
        ? { password: currentPassword, field: 'currentPassword' as const }
        : { password: password ?? '', field: 'password' as const };
    await this.mfa.disableTotp(user.id, proof, actor);
  }
}
