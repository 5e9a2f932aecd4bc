import { ConfigModule } from '@nestjs/config';
import type { Env } from './env.schema.js';

/**
 * ConfigModule over an environment loadEnv() has already validated, for the service and the
 * CLI alike. ConfigService then reads only that result: never process.env (skipProcessEnv),
 * never .env again, and nothing is written back to process.env.
 */
export const configModule = (env: Env) =>
  ConfigModule.forRoot({
    isGlobal: true,
    cache: true,
    ignoreEnvFile: true,
    skipProcessEnv: true,
    load: [() => env],
  });
