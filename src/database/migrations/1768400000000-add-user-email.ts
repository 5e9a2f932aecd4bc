import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An optional mail address on accounts (docs/email.md): `email` as typed, `email_verified_at`,
 * and `email_key`, the folded address, set only once the address is verified: its unique index
 * makes a verified address one account's, while any number may claim it unverified (NULLs are
 * distinct on both databases).
 */
export class AddUserEmail1768400000000 implements MigrationInterface {
  name = 'AddUserEmail1768400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.driver.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.addColumns('users', [
      new TableColumn({ name: 'email', type: 'varchar', length: '254', isNullable: true }),
      new TableColumn({ name: 'email_key', type: 'varchar', length: '254', isNullable: true }),
      new TableColumn({ name: 'email_verified_at', type: timestamp, isNullable: true }),
    ]);
    await queryRunner.createIndex(
      'users',
      new TableIndex({ name: 'IDX_users_email_key', columnNames: ['email_key'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('users', 'IDX_users_email_key');
    await queryRunner.dropColumns('users', ['email_verified_at', 'email_key', 'email']);
  }
}
