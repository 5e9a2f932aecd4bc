import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../common/request-context/actor.js';
import { CurrentActor } from '../common/request-context/current-actor.decorator.js';
import { Public } from '../common/request-context/public.decorator.js';
import { ApiErrorResponses, JSON_BODY_ERRORS } from '../docs/api-error-responses.decorator.js';
import { AddressThrottlerGuard } from '../throttling/address-throttler.guard.js';
import { SignUpDto } from './dto/sign-up.dto.js';
import { SignUpService } from './sign-up.service.js';
import { UserProfile } from './user-profile.js';

@ApiTags('users')
@Public()
@Controller('users')
export class SignUpController {
  constructor(private readonly signUps: SignUpService) {}

  /**
   * Self-service sign-up. Registered only when SIGNUP_ENABLED=true (SignUpModule). An `email` is
   * stored unverified and mailed a verification link (required when SIGNUP_REQUIRE_EMAIL=true).
   */
  @Post()
  @UseGuards(AddressThrottlerGuard)
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Sign up (only when SIGNUP_ENABLED=true)' })
  @ApiCreatedResponse({
    type: UserProfile,
    description: 'Created; log in next. A given address is mailed a verification link.',
  })
  @ApiErrorResponses({
    400:
      'A malformed body: the name, the password or the address breaks a rule, or no address ' +
      'while SIGNUP_REQUIRE_EMAIL=true.',
    409: 'The name is taken (names compare case-insensitively).',
    ...JSON_BODY_ERRORS,
    429: 'Too many attempts from this address (LOGIN_RATE_LIMIT a minute).',
  })
  create(@Body() body: SignUpDto, @CurrentActor() actor: Actor): Promise<UserProfile> {
    // A taken name is NameTakenError, which the exception filter answers with 409.
    return this.signUps.signUp(body, actor);
  }
}
