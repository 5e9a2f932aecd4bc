import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Env } from '../config/env.schema.js';
import { relyingPartyOf } from '../config/webauthn.js';
import { ThrottlingModule } from '../throttling/throttling.module.js';
import { UsersModule } from '../users/users.module.js';
import { PasskeyChallengeEntity } from './passkey-challenge.entity.js';
import { PasskeyEntity } from './passkey.entity.js';
import { PasskeysController } from './passkeys.controller.js';
import { PasskeysRepository } from './passkeys.repository.js';
import { PasskeysService, RELYING_PARTY } from './passkeys.service.js';

/** Passkeys (docs/passkeys.md): the caller's list under /user/passkeys. AuthModule signs in with them. */
@Module({
  imports: [TypeOrmModule.forFeature([PasskeyEntity, PasskeyChallengeEntity]), UsersModule, ThrottlingModule],
  controllers: [PasskeysController],
  providers: [
    PasskeysRepository,
    PasskeysService,
    {
      provide: RELYING_PARTY,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>) =>
        relyingPartyOf({
          WEBAUTHN_RP_ID: config.get('WEBAUTHN_RP_ID', { infer: true }),
          WEBAUTHN_ORIGIN: config.get('WEBAUTHN_ORIGIN', { infer: true }),
          WEBAUTHN_RP_NAME: config.get('WEBAUTHN_RP_NAME', { infer: true }),
        }),
    },
  ],
  exports: [PasskeysService],
})
export class PasskeysModule {}
