import { Module } from '@nestjs/common';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { SignUpController } from './sign-up.controller.js';
import { SignUpService } from './sign-up.service.js';
import { UsersModule } from './users.module.js';

/**
 * POST /users. AppModule composes it only when SIGNUP_ENABLED=true: with sign-up off the route is
 * not registered at all, so it answers 404 like any unknown path, before its body is read.
 */
@Module({
  imports: [UsersModule, ThrottlingModule],
  controllers: [SignUpController],
  providers: [SignUpService],
})
export class SignUpModule {}
