import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AuthModule } from './auth/auth.module.js';
import { CommonModule } from './common/common.module.js';
import { validateEnv } from './config/env.schema.js';
import { DatabaseModule } from './database/database.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { PagesModule } from './pages/pages.module.js';
import { AdminSeeder } from './users/admin-seeder.service.js';
import { UsersModule } from './users/users.module.js';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      validate: validateEnv,
      // Tests set their environment explicitly; a developer's .env must not change their outcome.
      ignoreEnvFile: process.env.NODE_ENV === 'test',
    }),
    LoggingModule,
    CommonModule,
    DatabaseModule,
    UsersModule,
    AuthModule,
    PagesModule,
  ],
  // Seeds an empty database at start-up. Registered here rather than in UsersModule so that only
  // the HTTP service seeds: the operators' CLI (src/cli/cli.module.ts) imports UsersModule too.
  providers: [AdminSeeder],
})
export class AppModule {}
