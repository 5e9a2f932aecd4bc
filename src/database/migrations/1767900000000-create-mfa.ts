import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** TOTP second factors, their recovery codes and pending second-factor logins (src/mfa/). */
/** Each table's rows belong to a user and go with them. */
const userForeignKey = {
  columnNames: ['user_id'],
  referencedTableName: 'users',
  referencedColumnNames: ['id'],
  onDelete: 'CASCADE',
};

export class CreateMfa1767900000000 implements MigrationInterface {
  name = 'CreateMfa1767900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.driver.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.createTable(
      new Table({
        name: 'totp_credentials',
        columns: [
          { name: 'user_id', type: 'integer', isPrimary: true },
          { name: 'secret_sealed', type: 'text', isNullable: false },
          { name: 'created_at', type: timestamp, isNullable: false },
          { name: 'confirmed_at', type: timestamp, isNullable: true },
          { name: 'last_step', type: 'integer', isNullable: true },
        ],
        foreignKeys: [userForeignKey],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'recovery_codes',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'user_id', type: 'integer', isNullable: false },
          { name: 'code_hash', type: 'varchar', length: '64', isNullable: false },
          { name: 'used_at', type: timestamp, isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'IDX_recovery_codes_user_hash',
            columnNames: ['user_id', 'code_hash'],
            isUnique: true,
          }),
        ],
        foreignKeys: [userForeignKey],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'mfa_challenges',
        columns: [
          { name: 'token_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'user_id', type: 'integer', isNullable: false },
          { name: 'expires_at', type: timestamp, isNullable: false },
        ],
        indices: [new TableIndex({ name: 'IDX_mfa_challenges_expires_at', columnNames: ['expires_at'] })],
        foreignKeys: [userForeignKey],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('mfa_challenges');
    await queryRunner.dropTable('recovery_codes');
    await queryRunner.dropTable('totp_credentials');
  }
}
