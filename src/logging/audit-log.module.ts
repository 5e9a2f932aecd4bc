import { Global, Module } from '@nestjs/common';
import { AuditLog } from './audit.js';

/**
 * The injected AuditLog, global so every feature (and the CLI, which has no LoggingModule) gets
 * the same one. Its AuditSink is whatever a global module provides (AuditModule: the database).
 */
@Global()
@Module({
  providers: [AuditLog],
  exports: [AuditLog],
})
export class AuditLogModule {}
