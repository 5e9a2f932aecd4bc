import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Env } from '../config/env.schema.js';
import { instanceSecret } from '../config/jwt-secret.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { UsersModule } from '../users/users.module.js';
import { MfaChallengeEntity } from './mfa-challenge.entity.js';
import { deriveMfaKeys, MFA_KEYS } from './mfa-keys.js';
import { MfaController } from './mfa.controller.js';
import { MfaRepository } from './mfa.repository.js';
import { MfaService } from './mfa.service.js';
import { RecoveryCodeEntity } from './recovery-code.entity.js';
import { TotpCredentialEntity } from './totp-credential.entity.js';

/** TOTP second factors (docs/two-factor.md). AuthModule asks MfaService at login. */
@Module({
  imports: [
    TypeOrmModule.forFeature([TotpCredentialEntity, RecoveryCodeEntity, MfaChallengeEntity]),
    UsersModule,
    SessionsModule,
    ThrottlingModule,
  ],
  controllers: [MfaController],
  providers: [
    MfaRepository,
    MfaService,
    {
      provide: MFA_KEYS,
      inject: [ConfigService],
      // The secret the signing keys are sealed with (keys.module.ts): KEY_ENCRYPTION_SECRET, or JWT_SECRET.
      useFactory: (config: ConfigService<Env, true>) =>
        deriveMfaKeys(
          instanceSecret({
            KEY_ENCRYPTION_SECRET: config.get('KEY_ENCRYPTION_SECRET', { infer: true }),
            JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
            DATA_DIR: config.get('DATA_DIR', { infer: true }),
          }),
        ),
    },
  ],
  exports: [MfaService],
})
export class MfaModule {}
