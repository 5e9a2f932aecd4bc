import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Env } from '../config/env.schema.js';
import { instanceSecret } from '../config/jwt-secret.js';
import { InstanceEvents } from '../redis/instance-events.js';
import { FannedOutRevocations } from './fanned-out-revocations.js';
import { PolledRevocations } from './polled-revocations.js';
import { deriveRefreshSuccessorKey, REFRESH_SUCCESSOR_KEY } from './refresh-successor-key.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { MemoryRevocationList, REVOCATION_LIST, type RevocationList } from './revocation-list.js';
import { REVOCATIONS } from './revocations.js';
import { SessionEntity } from './session.entity.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([SessionEntity, RefreshTokenEntity])],
  controllers: [SessionsController],
  providers: [
    SessionsRepository,
    SessionsService,
    {
      provide: REFRESH_SUCCESSOR_KEY,
      inject: [ConfigService],
      // The secret every instance shares (as mfa.module.ts): KEY_ENCRYPTION_SECRET, or JWT_SECRET.
      useFactory: (config: ConfigService<Env, true>) =>
        deriveRefreshSuccessorKey(
          instanceSecret({
            KEY_ENCRYPTION_SECRET: config.get('KEY_ENCRYPTION_SECRET', { infer: true }),
            JWT_SECRET: config.get('JWT_SECRET', { infer: true }),
            DATA_DIR: config.get('DATA_DIR', { infer: true }),
          }),
        ),
    },
    // A factory, not a value: every application instance (tests build several) gets its own list.
    { provide: REVOCATION_LIST, useFactory: () => new MemoryRevocationList() },
    {
      provide: REVOCATIONS,
      // One instance holds the lifecycle hooks: the fan-out (REDIS_URL set) wraps the poll.
      inject: [SessionsRepository, REVOCATION_LIST, ConfigService, { token: InstanceEvents, optional: true }],
      useFactory: (
        repository: SessionsRepository,
        list: RevocationList,
        config: ConfigService<Env, true>,
        events?: InstanceEvents,
      ) => {
        const polled = new PolledRevocations(repository, list, config);
        return events === undefined ? polled : new FannedOutRevocations(polled, events);
      },
    },
  ],
  exports: [SessionsService, REVOCATIONS],
})
export class SessionsModule {}
