import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { LoginLinkModule } from './auth/login-link.module.js';
import { CommonModule } from './common/common.module.js';
import { configModule } from './config/config.module.js';
import type { Env } from './config/env.schema.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MailModule } from './mail/mail.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PagesModule } from './pages/pages.module.js';
import { RedisModule } from './redis/redis.module.js';
import { AdminSeeder } from './users/admin-seeder.service.js';
import { SignUpModule } from './users/sign-up.module.js';
import { AccountMailModule } from './users/account-mail.module.js';
import { UsersModule } from './users/users.module.js';
import { AuditLogModule } from './logging/audit-log.module.js';

@Module({})
export class AppModule {
  /** The service, configured by an environment loadEnv() has validated (main.ts, the e2e tests). */
  static forRoot(env: Env): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configModule(env),
        LoggingModule,
        MetricsModule.forRoot(env),
        CommonModule,
        DatabaseModule,
        RedisModule.forRoot(env),
        MailModule.forRoot(env, { deliver: true }),
        UsersModule,
        AuthModule,
        AuditModule,
        AuditLogModule,
        AdminModule,
        ...(env.SIGNUP_ENABLED ? [SignUpModule] : []),
        ...(env.MAIL_MODE === 'off' ? [] : [AccountMailModule]),
        ...(env.MAIL_MODE !== 'off' && env.EMAIL_LOGIN_ENABLED ? [LoginLinkModule] : []),
        PagesModule,
        HealthModule,
      ],
      // Seeds an empty database at start-up. Registered here rather than in UsersModule so that
      // only the HTTP service seeds: the operators' CLI (src/cli/cli.module.ts) imports UsersModule too.
      providers: [AdminSeeder],
    };
  }
}
