import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { UuidPipe } from '../common/pipes/uuid.pipe.js';
import type { Actor } from '../common/request-context/actor.js';
import type { AuthUser } from '../common/request-context/auth-user.js';
import { CurrentActor } from '../common/request-context/current-actor.decorator.js';
import { CurrentUser } from '../common/request-context/current-user.decorator.js';
import {
  ACCESS_TOKEN_ERRORS,
  ApiErrorResponses,
  JSON_BODY_ERRORS,
  NO_BODY_ERRORS,
  NO_STORE,
} from '../docs/api-error-responses.decorator.js';
import { StepUpDto } from '../users/dto/step-up.dto.js';
import { AddressThrottlerGuard } from '../throttling/address-throttler.guard.js';
import { AddPasskeyDto } from './dto/add-passkey.dto.js';
import { PASSKEYS_PER_USER } from './passkey-limits.js';
import { PasskeyOptionsView, PasskeyView } from './passkey-views.js';
import { PasskeysService } from './passkeys.service.js';

/** The caller's own passkeys (docs/passkeys.md). Guarded by the global JwtAuthGuard. */
@ApiTags('passkeys')
@Controller('user/passkeys')
export class PasskeysController {
  constructor(private readonly passkeys: PasskeysService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "The caller's passkeys, oldest first (never a public key)" })
  @ApiOkResponse({ type: [PasskeyView], headers: NO_STORE })
  @ApiErrorResponses(ACCESS_TOKEN_ERRORS)
  list(@CurrentUser() user: AuthUser): Promise<PasskeyView[]> {
    return this.passkeys.list(user.id);
  }

  // No per-address limit (throttling/ sits beside passkeys/, not below): the account's hold
  // (LOGIN_FAILURE_LIMIT) bounds password guesses here, as it does everywhere.
  @Post('registration-options')
  @UseGuards(AddressThrottlerGuard)
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Start adding a passkey (the password again): the options for navigator.credentials.create()',
    description:
      'The step-up: `currentPassword` proves the caller is the owner, not only a holder of the ' +
      'access token (docs/security.md#step-up); the challenge it makes carries that proof to POST ' +
      '/user/passkeys. A discoverable credential (residentKey required), the user verified (PIN or ' +
      "biometric), no attestation, the caller's passkeys excluded. Answer with POST /user/passkeys " +
      'within 5 minutes.',
  })
  @ApiOkResponse({ type: PasskeyOptionsView, headers: NO_STORE })
  @ApiErrorResponses({
    400: 'currentPassword is missing or wrong, or the body is malformed.',
    ...ACCESS_TOKEN_ERRORS,
    409: `The account has ${PASSKEYS_PER_USER} passkeys already.`,
    ...JSON_BODY_ERRORS,
    429:
      'Too many attempts from this address (LOGIN_RATE_LIMIT a minute), or too many failed password ' +
      'checks for this account (LOGIN_FAILURE_LIMIT).',
  })
  registrationOptions(
    @CurrentUser() user: AuthUser,
    @Body() { currentPassword }: StepUpDto,
    @CurrentActor() actor: Actor,
  ): Promise<PasskeyOptionsView> {
    return this.passkeys.registrationOptions(
      user,
      { password: currentPassword, field: 'currentPassword' },
      actor,
    );
  }

  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: "Add a passkey: the browser's answer to the registration options, and a name",
    description:
      'The challenge is spent by this request, whether the passkey is accepted or not. No password ' +
      'here: the challenge is the proof given to POST /user/passkeys/registration-options.',
  })
  @ApiCreatedResponse({ type: PasskeyView, headers: NO_STORE, description: 'Added.' })
  @ApiErrorResponses({
    400:
      "The challengeId is unknown, spent, expired or not one of this user's registrations (ask for new " +
      'options); the passkey could not be verified (another origin or RP ID, no user verification, a ' +
      'bad attestation); its public key can never verify (no coordinates, a point off the curve, a ' +
      "curve or key type that is not its algorithm's, a short RSA modulus); or the body is malformed.",
    ...ACCESS_TOKEN_ERRORS,
    409: `The passkey is registered already, or the account has ${PASSKEYS_PER_USER} passkeys.`,
    ...JSON_BODY_ERRORS,
  })
  add(
    @CurrentUser() user: AuthUser,
    @Body() { challengeId, response, name }: AddPasskeyDto,
    @CurrentActor() actor: Actor,
  ): Promise<PasskeyView> {
    return this.passkeys.add(user, challengeId, response, name, actor);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Remove one of the caller's passkeys" })
  @ApiParam({ name: 'id', format: 'uuid', description: 'A passkey id from GET /user/passkeys.' })
  @ApiNoContentResponse({ description: 'Removed: it signs no one in from now on.' })
  @ApiErrorResponses({
    400: 'id is not a UUID, or a body was sent: none is taken (`{}` counts as none).',
    ...ACCESS_TOKEN_ERRORS,
    ...NO_BODY_ERRORS,
    404: 'The caller has no passkey of this id.',
  })
  async remove(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidPipe) id: string,
    @CurrentActor() actor: Actor,
  ): Promise<void> {
    await this.passkeys.remove(user.id, id, actor);
  }
}
