import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/request-context/public.decorator.js';
import { ApiErrorResponses, JSON_BODY_ERRORS } from '../docs/api-error-responses.decorator.js';
import { AddressThrottlerGuard } from '../throttling/address-throttler.guard.js';
import { SignUpDto } from './dto/sign-up.dto.js';
import { UserProfile } from './user-profile.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Public()
@Controller('users')
export class SignUpController {
  constructor(private readonly users: UsersService) {}

  /** Self-service sign-up. Registered only when SIGNUP_ENABLED=true (SignUpModule). */
  @Post()
  @UseGuards(AddressThrottlerGuard)
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Sign up (only when SIGNUP_ENABLED=true)' })
  @ApiCreatedResponse({ type: UserProfile, description: 'Created; log in next.' })
  @ApiErrorResponses({
    400: 'A malformed body: the name or the password breaks a rule.',
    409: 'The name is taken (names compare case-insensitively).',
    ...JSON_BODY_ERRORS,
    429: 'Too many attempts from this address (LOGIN_RATE_LIMIT a minute).',
  })
  create(@Body() body: SignUpDto): Promise<UserProfile> {
    // A taken name is NameTakenError, which the exception filter answers with 409.
    return this.users.create(body.name, body.password);
  }
}
