import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEventEntity } from './audit-event.entity.js';
import { AuditStore } from './audit-store.js';

/** The stored audit trail: registers itself as audit()'s sink while the app runs. */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity])],
  providers: [AuditStore],
  exports: [AuditStore],
})
export class AuditModule {}
