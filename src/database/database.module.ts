import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { Env } from '../config/env.schema.js';
import { DatabaseLock } from './database-lock.js';
import { migrations } from './migrations/index.js';
import { migrate } from './migrate.js';
import { SerialTransactions } from './serial-transactions.js';
import { traceQueries } from '../tracing/tracing.js';

/**
 * The database: the embedded SQLite file under DATA_DIR by default, PostgreSQL when DATABASE_URL
 * is set. One set of migrations (written with TypeORM's portable table API) runs on both at
 * start-up, before any repository is used; on PostgreSQL under an advisory lock, so instances
 * starting together on an empty database migrate it once.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>): TypeOrmModuleOptions => {
        const url = config.get('DATABASE_URL', { infer: true });
        const common = {
          // Each feature module registers its own entities (TypeOrmModule.forFeature).
          autoLoadEntities: true,
          migrations,
          // Run by the data source factory below, under the lock.
          migrationsRun: false,
          synchronize: false,
          // Nest's default retries a failed connection nine times over 27 s: a bad path, a corrupt
          // file or a wrong URL will not heal by waiting, so fail the start at once (an
          // orchestrator restarts the instance; a running one rides out outages, see below).
          retryAttempts: 0,
        };
        return url === undefined
          ? { ...common, ...sqliteOptions(config.get('DATABASE_PATH', { infer: true })) }
          : {
              ...common,
              ...postgresOptions(url, config.get('durations', { infer: true }).databaseTimeoutMs),
            };
      },
      dataSourceFactory: async (options) => {
        const dataSource = await new DataSource(options as DataSourceOptions).initialize();
        await migrate(dataSource);
        // After the migrations: their statements are start-up work, not a request's.
        traceQueries(dataSource);
        return dataSource;
      },
    }),
  ],
  providers: [SerialTransactions, DatabaseLock],
  exports: [SerialTransactions, DatabaseLock],
})
export class DatabaseModule {}

function sqliteOptions(database: string) {
  mkdirSync(dirname(database), { recursive: true });
  return {
    type: 'better-sqlite3' as const,
    database,
    // WAL lets readers proceed while a login writes; a busy timeout rides out a second process
    // (the operators' CLI) holding the write lock for a moment.
    enableWAL: true,
    prepareDatabase: (db: { pragma(source: string): unknown }) => {
      db.pragma('busy_timeout = 5000');
    },
  };
}

/**
 * Every wait on PostgreSQL is bounded by DATABASE_TIMEOUT: connecting, waiting for a pooled
 * connection, and each statement. An unreachable or hung server then fails a request within
 * seconds (a 503, http-error.filter.ts) instead of holding it, and the pool reconnects by itself
 * when the server is back.
 */
function postgresOptions(url: string, timeoutMs: number) {
  return {
    type: 'postgres' as const,
    url,
    connectTimeoutMS: timeoutMs,
    extra: {
      max: 10,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      statement_timeout: timeoutMs,
      idleTimeoutMillis: 30_000,
      // A server that vanished without closing the socket is noticed by TCP keep-alive.
      keepAlive: true,
    },
  };
}
