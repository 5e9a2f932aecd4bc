import { Module } from '@nestjs/common';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { AccountMailController } from './account-mail.controller.js';
import { EmailChangeController } from './email-change.controller.js';
import { UsersModule } from './users.module.js';

/**
 * The mail routes: the public ones and the signed-in user's email change. AppModule composes it
 * only when mail is on: in production without SMTP_URL they are not registered and answer 404
 * like any unknown path.
 */
@Module({
  imports: [UsersModule, ThrottlingModule],
  controllers: [AccountMailController, EmailChangeController],
})
export class AccountMailModule {}
