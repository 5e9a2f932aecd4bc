import { Logger, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.schema.js';
import { resolveSigningSecret } from '../config/jwt-secret.js';

/** Injection token of the HS256 key (a crypto.KeyObject) that signs and verifies access tokens. */
export const SIGNING_KEY = Symbol('SIGNING_KEY');

/** Builds the signing key once, for JwtModule (signing) and JwtStrategy (verifying). */
@Module({
  providers: [
    {
      provide: SIGNING_KEY,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) => {
        const { key, warning } = resolveSigningSecret({
          JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
          DATA_DIR: config.get('DATA_DIR', { infer: true }),
        });
        if (warning !== undefined) {
          new Logger('SigningKey').warn(warning);
        }
        return key;
      },
    },
  ],
  exports: [SIGNING_KEY],
})
export class SigningKeyModule {}
