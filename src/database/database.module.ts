import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Env } from '../config/env.schema.js';
import { migrations } from './migrations/index.js';
import { SerialTransactions } from './serial-transactions.js';

/**
 * The embedded SQLite database (a file under DATA_DIR by default), its schema kept by
 * migrations that run at start-up. TypeORM also speaks PostgreSQL, so another database is a
 * change of options here, not of the repositories.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => {
        const database = config.get('DATABASE_PATH', { infer: true });
        mkdirSync(dirname(database), { recursive: true });
        return {
          type: 'better-sqlite3' as const,
          database,
          // Each feature module registers its own entities (TypeOrmModule.forFeature).
          autoLoadEntities: true,
          migrations,
          migrationsRun: true,
          synchronize: false,
          // WAL lets readers proceed while a login writes; a busy timeout rides out a second
          // process (the operators' CLI) holding the write lock for a moment.
          enableWAL: true,
          prepareDatabase: (db: { pragma(source: string): unknown }) => {
            db.pragma('busy_timeout = 5000');
          },
          // Nest's default retries a failed connection nine times over 27 s; a bad path or a
          // corrupt file will not heal by waiting, so fail the start at once.
          retryAttempts: 0,
        };
      },
    }),
  ],
  providers: [SerialTransactions],
  exports: [SerialTransactions],
})
export class DatabaseModule {}
