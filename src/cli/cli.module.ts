import { Module, type DynamicModule } from '@nestjs/common';
import { AdminActionsModule } from '../admin/admin.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { configModule } from '../config/config.module.js';
import type { Env } from '../config/env.schema.js';
import { DatabaseModule } from '../database/database.module.js';
import { KeysModule } from '../keys/keys.module.js';
import { MailModule } from '../mail/mail.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { RedisModule } from '../redis/redis.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { KeysCommands } from './keys.commands.js';
import { UsersCommands } from './users.commands.js';
import { AuditLogModule } from '../logging/audit-log.module.js';

/**
 * The operators' CLI: the service's configuration, database and user and session services,
 * without HTTP, authentication or the admin seeder (AppModule registers that).
 */
@Module({})
export class CliModule {
  /** The same configuration as the service's, so the CLI works on the database it is configured for. */
  static forRoot(env: Env): DynamicModule {
    return {
      module: CliModule,
      // With REDIS_URL set, what the CLI changes reaches every instance at once (docs/scaling.md#redis).
      imports: [
        configModule(env),
        DatabaseModule,
        // What the services record goes nowhere: the CLI serves no metrics.
        MetricsModule.forRoot({}),
        RedisModule.forRoot(env),
        // Queues the mail a command sends; the running service delivers it.
        MailModule.forRoot(env, { deliver: false }),
        UsersModule,
        SessionsModule,
        AdminActionsModule,
        MfaModule,
        // What the CLI changes is in the stored audit trail too (actor "cli").
        AuditModule,
        AuditLogModule,
      ],
      providers: [UsersCommands],
    };
  }
}

/** `npm run keys`: the configuration, the database, Redis (to announce changes) and the keys. */
@Module({})
export class KeysCliModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: KeysCliModule,
      imports: [
        configModule(env),
        DatabaseModule,
        MetricsModule.forRoot({}),
        RedisModule.forRoot(env),
        KeysModule.forCli(),
      ],
      providers: [KeysCommands],
    };
  }
}
