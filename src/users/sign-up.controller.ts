import { Body, Controller, HttpCode, HttpStatus, NotFoundException, Post, UseGuards } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Public } from '../auth/decorators/public.decorator.js';
import type { Env } from '../config/env.schema.js';
import { AddressThrottlerGuard } from '../throttling/address-throttler.guard.js';
import { SignUpDto } from './dto/sign-up.dto.js';
import type { UserProfile } from './user-profile.js';
import { UsersService } from './users.service.js';

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
  create(@Body() body: SignUpDto): Promise<UserProfile> {
    if (!this.enabled) {
      throw new NotFoundException('no such resource');
    }
    return this.users.create(body.name, body.password);
  }
}
