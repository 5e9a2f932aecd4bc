import { Global, Module } from '@nestjs/common';
import { AuditSink } from '../logging/audit.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEventEntity } from './audit-event.entity.js';
import { AuditStore } from './audit-store.js';

/** The stored audit trail: AuditLog's sink (global, so AuditLogModule finds it), read by the admin API. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity])],
  providers: [AuditStore, { provide: AuditSink, useExisting: AuditStore }],
  exports: [AuditStore, AuditSink],
})
export class AuditModule {}
