import { Module } from '@nestjs/common';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthModule } from './auth.module.js';
import { LoginLinkController } from './login-link.controller.js';

/**
 * Sign-in links. AppModule composes it only with EMAIL_LOGIN_ENABLED=true and mail on: otherwise
 * POST /login/email and /login/link are not registered and answer 404 like any unknown path.
 */
@Module({
  imports: [AuthModule, UsersModule, ThrottlingModule],
  controllers: [LoginLinkController],
})
export class LoginLinkModule {}
