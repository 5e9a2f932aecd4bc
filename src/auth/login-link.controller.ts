import { Body, Controller, HttpCode, HttpStatus, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ApiAcceptedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '../common/request-context/actor.js';
import { CurrentActor } from '../common/request-context/current-actor.decorator.js';
import { Public } from '../common/request-context/public.decorator.js';
import type { Env } from '../config/env.schema.js';
import { ApiErrorResponses, JSON_BODY_ERRORS, NO_STORE } from '../docs/api-error-responses.decorator.js';
import { MfaChallengeView } from '../mfa/mfa-views.js';
import { AddressThrottlerGuard } from '../throttling/address-throttler.guard.js';
import { LoginRoute } from '../throttling/login-route.decorator.js';
import { ACCEPTED, AcceptedView } from '../users/account-mail.controller.js';
import { SignInLinks } from '../users/sign-in-links.js';
import { AuthService } from './auth.service.js';
import { CredentialRoute } from './decorators/credential-route.decorator.js';
import { LoginEmailDto, LoginLinkDto } from './dto/login-link.dto.js';
import { TokenDeliveryQueryDto } from './dto/token-delivery-query.dto.js';
import { respondWithTokens } from './token-delivery.js';
import { TokenResponse } from './token-response.js';

const TOO_MANY_ATTEMPTS = 'Too many attempts from this address (LOGIN_RATE_LIMIT a minute).';

/**
 * Sign-in links (docs/email.md#sign-in-links). Registered only with EMAIL_LOGIN_ENABLED=true and
 * mail on (LoginLinkModule): otherwise both routes answer 404.
 */
@ApiTags('auth')
@Controller()
export class LoginLinkController {
  private readonly secureCookie: boolean;

  constructor(
    private readonly auth: AuthService,
    private readonly links: SignInLinks,
    config: ConfigService<Env, true>,
  ) {
    this.secureCookie = config.get('REFRESH_COOKIE_SECURE', { infer: true });
  }

  @Post('login/email')
  @Public()
  @UseGuards(AddressThrottlerGuard)
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Mail a sign-in link to a verified address',
    description:
      'A known, verified address of an enabled account gets `PUBLIC_URL/login-link#token=...`, working ' +
      'once for 10 minutes; at most 5 links an address in 10 minutes are sent. Any address gets the same answer.',
  })
  @ApiAcceptedResponse({
    type: AcceptedView,
    description: 'The same answer whether or not the address is known.',
  })
  @ApiErrorResponses({
    400: 'A malformed body (not one bare address).',
    ...JSON_BODY_ERRORS,
    429: TOO_MANY_ATTEMPTS,
  })
  async requestLink(@Body() body: LoginEmailDto, @CurrentActor() actor: Actor): Promise<AcceptedView> {
    await this.links.request(body.email, actor);
    return ACCEPTED;
  }

  /** A sign-in link's token for what POST /login answers a right password with. */
  @CredentialRoute('login/link')
  @LoginRoute()
  @ApiOperation({
    summary: "Log in with a sign-in link's token",
    description:
      'Answers as POST /login does for a right password: the tokens (and the refresh cookie), or, for an ' +
      'account with two-factor authentication on, the challenge to complete at POST /login/mfa.',
  })
  @ApiExtraModels(TokenResponse, MfaChallengeView)
  @ApiOkResponse({
    schema: { oneOf: [{ $ref: getSchemaPath(TokenResponse) }, { $ref: getSchemaPath(MfaChallengeView) }] },
    headers: {
      'Set-Cookie': {
        description: 'The refresh token, as POST /login sets it (not with the challenge).',
        schema: { type: 'string' },
      },
      ...NO_STORE,
    },
    description: 'Logged in: a new session. Or, with a second factor on, the challenge (no cookie).',
  })
  @ApiErrorResponses({
    400:
      'The token is invalid, used, expired or for another purpose, its account disabled or its address ' +
      'no longer verified (one answer for all), or a malformed body or query string.',
    ...JSON_BODY_ERRORS,
    429: `${TOO_MANY_ATTEMPTS} Or the account is held back after failed password checks (LOGIN_FAILURE_LIMIT).`,
  })
  async loginWithLink(
    @Body() { token }: LoginLinkDto,
    @Query() delivery: TokenDeliveryQueryDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse | MfaChallengeView> {
    const answer = await this.auth.loginWithLink(this.links.spend(token, actor), actor);
    return 'mfaRequired' in answer ? answer : respondWithTokens(reply, answer, delivery, this.secureCookie);
  }
}
