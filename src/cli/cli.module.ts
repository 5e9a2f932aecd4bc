import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { validateEnv } from '../config/env.schema.js';
import { DatabaseModule } from '../database/database.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { UsersCommands } from './users.commands.js';

/**
 * The operators' CLI: the service's configuration, database and user and session services,
 * without HTTP, authentication or the admin seeder (AppModule registers that).
 */
@Module({})
export class CliModule {
  /**
   * ConfigModule.forRoot reads and validates the environment as soon as it is called, so it is
   * called here, once the arguments are known to be good, rather than when this file is imported:
   * a usage error is answered as one, whatever the environment.
   */
  static forRoot(): DynamicModule {
    return {
      module: CliModule,
      imports: [
        // The same options as AppModule: the CLI works on the database the service is configured for.
        ConfigModule.forRoot({
          isGlobal: true,
          cache: true,
          validate: validateEnv,
          ignoreEnvFile: process.env.NODE_ENV === 'test',
        }),
        DatabaseModule,
        UsersModule,
        SessionsModule,
      ],
      providers: [UsersCommands],
    };
  }
}
