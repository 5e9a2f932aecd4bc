import { Body, ConflictException, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/request-context/public.decorator.js';
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
  async create(@Body() body: SignUpDto): Promise<UserProfile> {
    try {
      return await this.users.create(body.name, body.password);
    } catch (error) {
      throw error instanceof NameTakenError ? new ConflictException(error.message) : error;
    }
  }
}
