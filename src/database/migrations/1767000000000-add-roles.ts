import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * users.roles (a comma-separated set of `admin`, `user`; every existing account becomes a `user`
 * but the first, the seeded admin, which becomes `admin`) and users.last_login_at (for the admin
 * API's list; NULL until the next login).
 */
export class AddRoles1767000000000 implements MigrationInterface {
  name = 'AddRoles1767000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.driver.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.addColumns('users', [
      new TableColumn({ name: 'roles', type: 'varchar', length: '64', isNullable: false, default: "'user'" }),
      new TableColumn({ name: 'last_login_at', type: timestamp, isNullable: true }),
    ]);
    // Plain SQL: a migration must not depend on today's entities. The lowest id is the account
    // AdminSeeder created on an empty database (or the oldest an operator added).
    await queryRunner.query("UPDATE users SET roles = 'admin' WHERE id = (SELECT MIN(id) FROM users)");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('users', 'last_login_at');
    await queryRunner.dropColumn('users', 'roles');
  }
}
