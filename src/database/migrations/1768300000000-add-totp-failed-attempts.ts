import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * totp_credentials.failed_attempts: the account's failed second factors since its last success,
 * which time never resets, so that guessing TOTP codes has a lifetime bound (MFA_FAILURE_LIMIT).
 */
export class AddTotpFailedAttempts1768300000000 implements MigrationInterface {
  name = 'AddTotpFailedAttempts1768300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'totp_credentials',
      new TableColumn({ name: 'failed_attempts', type: 'integer', isNullable: false, default: 0 }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('totp_credentials', 'failed_attempts');
  }
}
