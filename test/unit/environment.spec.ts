import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { InvalidEnvironmentError } from '../../src/config/env.schema.js';
import { loadEnv } from '../../src/config/environment.js';

describe('loadEnv', () => {
  let envFile: string;

  beforeEach(() => {
    envFile = join(mkdtempSync(join(tmpdir(), 'load-env-')), '.env');
  });

  it('should validate the variables it is given, defaults filled in', () => {
    const env = loadEnv({ PORT: '4000', ACCESS_TOKEN_TTL: '60' }, envFile);
    expect(env).toMatchObject({ PORT: 4000, ACCESS_TOKEN_TTL: 60, HOST: '127.0.0.1' });
    expect(env.durations.accessTokenMs).toBe(60_000);
  });

  it('should read .env, and let a variable already set win over it', () => {
    writeFileSync(envFile, 'PORT=4000\nLOG_LEVEL=debug\n# a comment\nJWT_ISSUER="quoted issuer"\n');
    expect(loadEnv({ LOG_LEVEL: 'warn' }, envFile)).toMatchObject({
      PORT: 4000,
      LOG_LEVEL: 'warn',
      JWT_ISSUER: 'quoted issuer',
    });
  });

  it('should ignore .env under NODE_ENV=test', () => {
    writeFileSync(envFile, 'PORT=4000\n');
    expect(loadEnv({ NODE_ENV: 'test' }, envFile).PORT).toBe(3000);
  });

  it('should do without a .env', () => {
    expect(loadEnv({}, join(envFile, 'missing')).PORT).toBe(3000);
  });

  it('should refuse a bad variable from .env as from the environment, naming it', () => {
    writeFileSync(envFile, 'PORT=eighty\n');
    expect(() => loadEnv({}, envFile)).toThrow(InvalidEnvironmentError);
    expect(() => loadEnv({}, envFile)).toThrow('Invalid environment: PORT must be a port number');
  });

  it('should not write anything back into the variables it read', () => {
    writeFileSync(envFile, 'PORT=4000\n');
    const variables: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn' };
    loadEnv(variables, envFile);
    expect(variables).toEqual({ LOG_LEVEL: 'warn' });
  });
});
