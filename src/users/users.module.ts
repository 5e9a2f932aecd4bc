import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AfterResponse } from '../common/after-response.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { LastAdminRule } from './last-admin-rule.js';
import { PasswordHasher } from './password-hasher.service.js';
import { UserCache } from './user-cache.js';
import { UserEmailService } from './user-email.service.js';
import { UserEntity } from './user.entity.js';
import { LinkTokenEntity } from './link-token.entity.js';
import { LinkTokens } from './link-tokens.js';
import { PasswordResetService } from './password-reset.service.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, LinkTokenEntity]), SessionsModule, ThrottlingModule],
  controllers: [UsersController],
  providers: [
    UsersRepository,
    UsersService,
    UserEmailService,
    LinkTokens,
    PasswordResetService,
    PasswordHasher,
    UserCache,
    LastAdminRule,
    AfterResponse,
  ],
  exports: [UsersService, UserEmailService, PasswordResetService],
})
export class UsersModule {}
