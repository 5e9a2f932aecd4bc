import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { validateEnv, type Env } from './env.schema.js';

/**
 * The environment, read and validated once per process, before anything is built from it: the
 * HTTP adapter (which exists before any Nest module) and ConfigModule both take this result.
 * Variables already set win over `.env`, as with dotenv. Throws InvalidEnvironmentError.
 */
export function loadEnv(variables: NodeJS.ProcessEnv = process.env, envFile = '.env'): Env {
  // Tests set their environment explicitly; a developer's .env must not change their outcome.
  const fromFile = variables.NODE_ENV === 'test' ? {} : readEnvFile(envFile);
  return validateEnv({ ...fromFile, ...variables });
}

function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return {}; // no .env: the environment and the defaults apply
    }
    throw error;
  }
  return parseEnv(text) as Record<string, string>;
}
