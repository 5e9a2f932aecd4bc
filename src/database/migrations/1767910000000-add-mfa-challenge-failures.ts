import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * mfa_challenges.failures: the wrong codes sent with one mfaToken, so that it can be spent after
 * a few (MFA_TOKEN_MAX_FAILURES) whatever LOGIN_FAILURE_LIMIT an operator has set.
 */
export class AddMfaChallengeFailures1767910000000 implements MigrationInterface {
  name = 'AddMfaChallengeFailures1767910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'mfa_challenges',
      new TableColumn({ name: 'failures', type: 'integer', isNullable: false, default: 0 }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('mfa_challenges', 'failures');
  }
}
