import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  ApiBody,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Env } from '../config/env.schema.js';
import {
  ACCESS_TOKEN_ERRORS,
  ApiErrorResponses,
  JSON_BODY_ERRORS,
  NO_BODY_ERRORS,
  NO_STORE,
} from '../docs/api-error-responses.decorator.js';
import { MfaChallengeView } from '../mfa/mfa-views.js';
import { PasskeyLoginDto } from '../passkeys/dto/passkey-login.dto.js';
import { PasskeyOptionsView } from '../passkeys/passkey-views.js';
import { PasskeysService } from '../passkeys/passkeys.service.js';
import { LoginRoute } from '../throttling/login-route.decorator.js';
import type { Actor } from '../common/request-context/actor.js';
import type { AuthUser } from '../common/request-context/auth-user.js';
import { CurrentActor } from '../common/request-context/current-actor.decorator.js';
import { AuthService, type TokenPair } from './auth.service.js';
import { BearerChallengeException } from './bearer-challenge.exception.js';
import { CurrentUser } from '../common/request-context/current-user.decorator.js';
import { CredentialRoute } from './decorators/credential-route.decorator.js';
import { LoginMfaDto } from './dto/login-mfa.dto.js';
import { LoginDto } from './dto/login.dto.js';
import { LogoutQueryDto } from './dto/logout-query.dto.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { TokenDeliveryQueryDto } from './dto/token-delivery-query.dto.js';
import { clearRefreshCookie, REFRESH_COOKIE } from './refresh-cookie.js';
import { respondWithTokens } from './token-delivery.js';
import { TokenResponse } from './token-response.js';

const TOKEN_RESPONSE = {
  type: TokenResponse,
  headers: {
    'Set-Cookie': {
      description:
        'The refresh token again, as `refresh_token`: HttpOnly, SameSite=Strict, Path=/refresh, ' +
        'Secure when REFRESH_COOKIE_SECURE.',
      schema: { type: 'string' },
    },
    ...NO_STORE,
  },
};

const TOO_MANY_ATTEMPTS = 'Too many attempts from this address (LOGIN_RATE_LIMIT a minute).';

@ApiTags('auth')
@Controller()
export class AuthController {
  private readonly secureCookie: boolean;

  constructor(
    private readonly auth: AuthService,
    private readonly passkeys: PasskeysService,
    config: ConfigService<Env, true>,
  ) {
    this.secureCookie = config.get('REFRESH_COOKIE_SECURE', { infer: true });
  }

  /**
   * Exchanges a name and password for an access token and a refresh token (also set as an
   * HttpOnly cookie).
   */
  @CredentialRoute('login')
  @LoginRoute()
  @ApiOperation({
    summary: 'Log in: a name and password for an access token and a refresh token',
    description:
      'For an account with two-factor authentication on, a right password answers a challenge ' +
      'instead (`mfaRequired`, no tokens and no cookie): complete it at POST /login/mfa.',
  })
  @ApiExtraModels(TokenResponse, MfaChallengeView)
  @ApiOkResponse({
    ...TOKEN_RESPONSE,
    type: undefined,
    schema: { oneOf: [{ $ref: getSchemaPath(TokenResponse) }, { $ref: getSchemaPath(MfaChallengeView) }] },
    description: 'Logged in: a new session. Or, with a second factor on, the challenge (no cookie).',
  })
  @ApiErrorResponses({
    400: 'Invalid name or password (one message for both), or a malformed body or query string.',
    ...JSON_BODY_ERRORS,
    429: `${TOO_MANY_ATTEMPTS} Or too many failed password checks for this name, at login or PUT /user/password (LOGIN_FAILURE_LIMIT).`,
  })
  async login(
    @Body() credentials: LoginDto,
    @Query() delivery: TokenDeliveryQueryDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse | MfaChallengeView> {
    const answer = await this.auth.login(credentials, actor);
    return 'mfaRequired' in answer ? answer : this.respond(reply, answer, delivery);
  }

  /** The second step of a login with a second factor: exactly the answer of a password-only login. */
  @CredentialRoute('login/mfa')
  @LoginRoute()
  @ApiOperation({
    summary: "Complete a login with the app's code or a recovery code",
    description:
      'A code of a time step already used is refused (replay); one step of clock drift either way is ' +
      "accepted; a recovery code works once. Wrong codes count toward the account's hold, and toward " +
      'its failed second factors, which only a success or an operator clears: at MFA_FAILURE_LIMIT in a ' +
      'row, TOTP codes are no longer checked (403) and the challenge offers only `recovery`.',
  })
  @ApiOkResponse({ ...TOKEN_RESPONSE, description: 'Logged in: a new session.' })
  @ApiErrorResponses({
    400:
      'The code or recovery code is wrong, expired or already used; the mfaToken is unknown, spent or ' +
      'expired, or took its 5th wrong code (log in again); or the body is malformed (exactly one of ' +
      'code and recoveryCode).',
    403:
      'A TOTP code for an account whose codes are locked: MFA_FAILURE_LIMIT failed second factors in a ' +
      'row. Not checked, and the mfaToken stays usable: use a recovery code (or sign in with a passkey, ' +
      'or ask an operator for `npm run users -- mfa reset NAME`).',
    ...JSON_BODY_ERRORS,
    429: `${TOO_MANY_ATTEMPTS} Or too many failed checks for this account (LOGIN_FAILURE_LIMIT).`,
  })
  async loginMfa(
    @Body() proof: LoginMfaDto,
    @Query() delivery: TokenDeliveryQueryDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    if ((proof.code === undefined) === (proof.recoveryCode === undefined)) {
      throw new BadRequestException('exactly one of code and recoveryCode is required');
    }
    return this.respond(reply, await this.auth.loginWithSecondFactor(proof, actor), delivery);
  }

  /** The first step of a passkey sign-in: a challenge for any of this site's passkeys. */
  @CredentialRoute('login/passkey/options')
  @LoginRoute()
  @ApiOperation({
    summary: 'Start a passkey sign-in: the options for navigator.credentials.get()',
    description:
      'Discoverable: no allowCredentials, the authenticator offers the passkeys it holds for this ' +
      'site; the user must be verified (PIN or biometric). Answer with POST /login/passkey within 5 minutes.',
  })
  @ApiOkResponse({ type: PasskeyOptionsView, headers: NO_STORE })
  @ApiErrorResponses({
    400: 'A body was sent: none is taken (`{}` counts as none).',
    ...NO_BODY_ERRORS,
    429: TOO_MANY_ATTEMPTS,
  })
  passkeyOptions(): Promise<PasskeyOptionsView> {
    return this.passkeys.authenticationOptions();
  }

  /** A passkey sign-in: exactly the answer of a password login, with no second step. */
  @CredentialRoute('login/passkey')
  @LoginRoute()
  @ApiOperation({
    summary: "Sign in with a passkey: the browser's signed answer to the options",
    description:
      'A passkey is both factors (the device, and the PIN or biometric that unlocked it): an account ' +
      'with TOTP on gets its tokens here too. The challenge is spent by this request, whatever the outcome.',
  })
  @ApiOkResponse({ ...TOKEN_RESPONSE, description: 'Logged in: a new session.' })
  @ApiErrorResponses({
    400:
      'The challengeId is unknown, spent, expired or not a sign-in challenge (ask for new options), ' +
      'or the body is malformed.',
    401:
      'The passkey was not accepted (one message for all): unknown, removed, signed for another origin or ' +
      'RP ID, without user verification, a signature counter that did not move forward, or a disabled account.',
    ...JSON_BODY_ERRORS,
    429: TOO_MANY_ATTEMPTS,
  })
  async loginPasskey(
    @Body() { challengeId, response }: PasskeyLoginDto,
    @Query() delivery: TokenDeliveryQueryDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    return this.respond(reply, await this.auth.loginWithPasskey(challengeId, response, actor), delivery);
  }

  /**
   * Spends a refresh token (from the body, or else the cookie) for a new pair. The JSON body is
   * required even for the cookie: the global pipe answers 415 to none, before anything is spent.
   */
  @CredentialRoute('refresh')
  @ApiOperation({
    summary: 'Spend a refresh token for a new pair',
    description:
      'Rotation: the token is spent. Presenting a spent token again (after REFRESH_REUSE_GRACE ' +
      'seconds) is a replay and ends the whole session; within them it gets the same refresh token ' +
      "as its first use (one chain per session, however many refreshes race). The token is the body's `refreshToken`, or " +
      'else the `refresh_token` cookie; a JSON body is required either way (`{}` for the cookie), ' +
      'so that no other origin can spend the cookie with a request it may send without a CORS ' +
      'preflight (no body, a form, text).',
  })
  @ApiBody({ type: RefreshDto, required: true })
  @ApiOkResponse({ ...TOKEN_RESPONSE, description: 'The same session, a new pair.' })
  @ApiErrorResponses({
    400: 'A malformed body or query string.',
    401: 'No refresh token, or one that is unknown, spent (a replay), or of an ended session.',
    ...JSON_BODY_ERRORS,
    415:
      'No body, or one that is not JSON (a form, text): `Content-Type` must be `application/json`, ' +
      'with `{}` to use the cookie. Nothing is spent and the cookie is kept.',
    429: TOO_MANY_ATTEMPTS,
  })
  async refresh(
    @Body() body: RefreshDto,
    @Query() delivery: TokenDeliveryQueryDto,
    @Req() request: FastifyRequest,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    const token = body.refreshToken ?? request.cookies[REFRESH_COOKIE];
    if (token === undefined || token === '') {
      throw BearerChallengeException.missing('refresh');
    }
    try {
      return this.respond(reply, await this.auth.refresh(token, actor), delivery);
    } catch (error) {
      clearRefreshCookie(reply, this.secureCookie);
      throw error;
    }
  }

  /** Ends this session (default), the others (`?scope=others`) or all (`?scope=global`). */
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Log out: end this session, the others or all of them' })
  @ApiNoContentResponse({
    description:
      'Ended: their access tokens are refused from now on; the refresh cookie is cleared (but for `others`).',
  })
  @ApiErrorResponses({
    400: 'scope is not local, others or global, or a body was sent: none is taken (`{}` counts as none).',
    ...ACCESS_TOKEN_ERRORS,
    ...NO_BODY_ERRORS,
  })
  async logout(
    @CurrentUser() user: AuthUser,
    @Query() { scope }: LogoutQueryDto,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.logout(user, scope ?? 'local', actor);
    if (scope !== 'others') {
      clearRefreshCookie(reply, this.secureCookie);
    }
  }

  private respond(reply: FastifyReply, pair: TokenPair, delivery: TokenDeliveryQueryDto): TokenResponse {
    return respondWithTokens(reply, pair, delivery, this.secureCookie);
  }
}
