import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Env } from '../config/env.schema.js';
import { DatabaseLock } from '../database/database-lock.js';
import { SCHEMA_LOCK } from '../database/migrate.js';
import { PasswordHasher } from './password-hasher.service.js';
import { UsersService } from './users.service.js';

/** The tutorial's account, kept for development only; it is not a secret, it is a demo. */
export const DEMO_ADMIN = { name: 'admin', password: '1234' } as const;

/**
 * Gives an empty database its first account, an admin. Outside production that is ADMIN_NAME/ADMIN_PASSWORD
 * or, failing those, the tutorial's admin/1234; in production only ADMIN_NAME/ADMIN_PASSWORD.
 */
@Injectable()
export class AdminSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminSeeder.name);

  constructor(
    private readonly users: UsersService,
    private readonly config: ConfigService<Env, true>,
    private readonly lock: DatabaseLock,
    private readonly hasher: PasswordHasher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Instances starting together on an empty PostgreSQL database: one seeds, the others then
    // find the account (exactly one first account).
    // One hash before any request: no hashing worker started for it (PasswordHasher.withoutWorkers).
    await this.lock.run(SCHEMA_LOCK, () => this.hasher.withoutWorkers(() => this.seed()));
  }

  private async seed(): Promise<void> {
    if ((await this.users.count()) > 0) {
      return;
    }
    const name = this.config.get('ADMIN_NAME', { infer: true });
    const password = this.config.get('ADMIN_PASSWORD', { infer: true });
    if (name !== undefined && password !== undefined) {
      await this.users.create(name, password, ['admin']);
      this.logger.log(`No users existed: created "${name}" from ADMIN_NAME/ADMIN_PASSWORD`);
      return;
    }
    if (this.config.get('NODE_ENV', { infer: true }) === 'production') {
      this.logger.warn(
        'No users exist and no admin was created: set ADMIN_NAME and ADMIN_PASSWORD (at least 8 characters) and restart',
      );
      return;
    }
    await this.users.create(DEMO_ADMIN.name, DEMO_ADMIN.password, ['admin']);
    this.logger.warn(
      `No users existed: created the tutorial's demo account "${DEMO_ADMIN.name}" with password "${DEMO_ADMIN.password}" (development only)`,
    );
  }
}
