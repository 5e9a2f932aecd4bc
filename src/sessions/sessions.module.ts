import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PolledRevocations } from './polled-revocations.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { MemoryRevocationList, REVOCATION_LIST } from './revocation-list.js';
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
    // A factory, not a value: every application instance (tests build several) gets its own list.
    { provide: REVOCATION_LIST, useFactory: () => new MemoryRevocationList() },
    { provide: REVOCATIONS, useClass: PolledRevocations },
  ],
  exports: [SessionsService, REVOCATIONS],
})
export class SessionsModule {}
