import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminAuditController } from './admin-audit.controller.js';
import { AdminUsersController } from './admin-users.controller.js';
import { AdminUsersService } from './admin-users.service.js';

/** The admin API (`/admin/...`, @Roles('admin')) and the admin actions the CLI shares. */
@Module({
  imports: [UsersModule, SessionsModule, AuditModule],
  controllers: [AdminUsersController, AdminAuditController],
  providers: [AdminUsersService],
  exports: [AdminUsersService],
})
export class AdminModule {}

/** The admin actions without their routes: for the operators' CLI. */
@Module({
  imports: [UsersModule, SessionsModule],
  providers: [AdminUsersService],
  exports: [AdminUsersService],
})
export class AdminActionsModule {}
