import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `email_pending` on accounts (docs/email.md#email-change): an address the user asked to change to,
 * awaiting confirmation through the link mailed to it; `email` stays the account's until then.
 */
export class AddPendingEmail1768430000000 implements MigrationInterface {
  name = 'AddPendingEmail1768430000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'users',
      new TableColumn({ name: 'email_pending', type: 'varchar', length: '254', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('users', 'email_pending');
  }
}
