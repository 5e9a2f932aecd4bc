import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AfterResponse } from '../common/after-response.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { AccountNotices } from './account-notices.js';
import { EmailChangeService } from './email-change.service.js';
import { LastAdminRule } from './last-admin-rule.js';
import { PasswordHasher } from './password-hasher.service.js';
import { UserCache } from './user-cache.js';
import { UserEmailService } from './user-email.service.js';
import { UserEntity } from './user.entity.js';
import { LinkTokenEntity } from './link-token.entity.js';
import { LinkTokens } from './link-tokens.js';
import { PasswordResetService } from './password-reset.service.js';
import { Invites } from './invites.js';
import { SignInLinks } from './sign-in-links.js';
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
    Invites,
    SignInLinks,
    PasswordHasher,
    UserCache,
    LastAdminRule,
    AccountNotices,
    EmailChangeService,
    AfterResponse,
  ],
  exports: [
    UsersService,
    UserEmailService,
    PasswordResetService,
    AccountNotices,
    EmailChangeService,
    PasswordHasher,
    Invites,
    SignInLinks,
  ],
})
export class UsersModule {}
