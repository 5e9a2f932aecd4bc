import {
  Body,
  Controller,
  Header,
  HttpCode,
  HttpStatus,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Env } from '../config/env.schema.js';
import type { ClientInfo } from '../sessions/sessions.service.js';
import { AddressThrottlerGuard } from '../throttling/address-throttler.guard.js';
import type { AuthUser } from './auth-user.js';
import { AuthService, type TokenPair } from './auth.service.js';
import { BearerChallengeException } from './bearer-challenge.exception.js';
import { CurrentUser } from './decorators/current-user.decorator.js';
import { Public } from './decorators/public.decorator.js';
import { LoginDto } from './dto/login.dto.js';
import { LogoutQueryDto } from './dto/logout-query.dto.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { TokenDeliveryQueryDto } from './dto/token-delivery-query.dto.js';
import { clearRefreshCookie, REFRESH_COOKIE, setRefreshCookie } from './refresh-cookie.js';

/** What login and refresh answer: the pair, without the cookie-only bookkeeping. */
export type TokenResponse = Omit<TokenPair, 'sessionExpiresAt' | 'refreshToken'> & { refreshToken?: string };

const clientInfo = (request: FastifyRequest): ClientInfo => ({
  userAgent: request.headers['user-agent'],
  ip: request.ip,
});

@Controller()
export class AuthController {
  private readonly secureCookie: boolean;

  constructor(
    private readonly auth: AuthService,
    config: ConfigService<Env, true>,
  ) {
    this.secureCookie = config.get('REFRESH_COOKIE_SECURE', { infer: true });
  }

  /**
   * Exchanges a name and password for an access token and a refresh token (also set as an
   * HttpOnly cookie). 200, not Nest's default 201: the tutorial's contract.
   */
  @Public()
  @UseGuards(AddressThrottlerGuard)
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  async login(
    @Body() credentials: LoginDto,
    @Query() delivery: TokenDeliveryQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    return this.respond(reply, await this.auth.login(credentials, clientInfo(request)), delivery);
  }

  /** Spends a refresh token (from the body, or else the cookie) for a new pair. */
  @Public()
  @UseGuards(AddressThrottlerGuard)
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  async refresh(
    @Body() body: RefreshDto,
    @Query() delivery: TokenDeliveryQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponse> {
    const token = body.refreshToken ?? request.cookies[REFRESH_COOKIE];
    if (token === undefined || token === '') {
      throw BearerChallengeException.missing('refresh');
    }
    try {
      return this.respond(reply, await this.auth.refresh(token), delivery);
    } catch (error) {
      clearRefreshCookie(reply, this.secureCookie);
      throw error;
    }
  }

  /** Ends this session (default), the others (`?scope=others`) or all (`?scope=global`). */
  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  async logout(
    @CurrentUser() user: AuthUser,
    @Query() { scope }: LogoutQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.logout(user, scope ?? 'local');
    if (scope !== 'others') {
      clearRefreshCookie(reply, this.secureCookie);
    }
  }

  private respond(
    reply: FastifyReply,
    { sessionExpiresAt, ...pair }: TokenPair,
    delivery: TokenDeliveryQueryDto,
  ): TokenResponse {
    setRefreshCookie(reply, pair.refreshToken, sessionExpiresAt, this.secureCookie);
    if (delivery.refreshToken === 'cookie') {
      const { refreshToken: _inCookieOnly, ...rest } = pair;
      return rest;
    }
    return pair;
  }
}
