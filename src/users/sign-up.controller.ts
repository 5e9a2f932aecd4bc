import {
  Body,
  ConflictException,
  Controller,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/request-context/public.decorator.js';
import type { Env } from '../config/env.schema.js';
import { ApiErrorResponses, JSON_BODY_ERRORS } from '../docs/api-error-responses.decorator.js';
import { AddressThrottlerGuard } from '../throttling/address-throttler.guard.js';
import { SignUpDto } from './dto/sign-up.dto.js';
import { NameTakenError } from './name-taken.error.js';
import { UserProfile } from './user-profile.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Public()
@Controller('users')
export class SignUpController {
  private readonly enabled: boolean;

  constructor(
    private readonly users: UsersService,
    config: ConfigService<Env, true>,
  ) {
    this.enabled = config.get('SIGNUP_ENABLED', { infer: true });
  }

  /** Self-service sign-up, when SIGNUP_ENABLED=true; otherwise the route does not exist. */
  @Post()
  @UseGuards(AddressThrottlerGuard)
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Sign up (only when SIGNUP_ENABLED=true)' })
  @ApiCreatedResponse({ type: UserProfile, description: 'Created; log in next.' })
  @ApiErrorResponses({
    400: 'A malformed body: the name or the password breaks a rule.',
    404: 'Sign-up is not enabled (SIGNUP_ENABLED=false, the default).',
    409: 'The name is taken (names compare case-insensitively).',
    ...JSON_BODY_ERRORS,
    429: 'Too many attempts from this address (LOGIN_RATE_LIMIT a minute).',
  })
  async create(@Body() body: SignUpDto): Promise<UserProfile> {
    if (!this.enabled) {
      throw new NotFoundException('no such resource');
    }
    try {
      return await this.users.create(body.name, body.password);
    } catch (error) {
      throw error instanceof NameTakenError ? new ConflictException(error.message) : error;
    }
  }
}
