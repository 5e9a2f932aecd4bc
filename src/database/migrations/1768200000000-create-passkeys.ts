import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Each table's rows belong to a user and go with them. */
const userForeignKey = {
  columnNames: ['user_id'],
  referencedTableName: 'users',
  referencedColumnNames: ['id'],
  onDelete: 'CASCADE',
};

/** Passkeys (WebAuthn credentials) and their pending ceremonies' challenges (src/passkeys/). */
export class CreatePasskeys1768200000000 implements MigrationInterface {
  name = 'CreatePasskeys1768200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.driver.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.createTable(
      new Table({
        name: 'passkeys',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'integer', isNullable: false },
          { name: 'name', type: 'varchar', length: '64', isNullable: false },
          { name: 'credential_id', type: 'varchar', length: '1400', isNullable: false },
          { name: 'public_key', type: 'text', isNullable: false },
          // A 32-bit unsigned signature counter does not fit PostgreSQL's integer.
          { name: 'counter', type: 'bigint', isNullable: false },
          { name: 'transports', type: 'varchar', length: '255', isNullable: false },
          { name: 'user_handle', type: 'varchar', length: '128', isNullable: false },
          { name: 'created_at', type: timestamp, isNullable: false },
          { name: 'last_used_at', type: timestamp, isNullable: true },
        ],
        indices: [
          new TableIndex({
            name: 'IDX_passkeys_credential_id',
            columnNames: ['credential_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'IDX_passkeys_user_id', columnNames: ['user_id'] }),
        ],
        foreignKeys: [userForeignKey],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'passkey_challenges',
        columns: [
          { name: 'id_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'purpose', type: 'varchar', length: '16', isNullable: false },
          { name: 'user_id', type: 'integer', isNullable: true },
          { name: 'challenge', type: 'varchar', length: '128', isNullable: false },
          { name: 'user_handle', type: 'varchar', length: '128', isNullable: true },
          { name: 'expires_at', type: timestamp, isNullable: false },
        ],
        indices: [new TableIndex({ name: 'IDX_passkey_challenges_expires_at', columnNames: ['expires_at'] })],
        foreignKeys: [userForeignKey],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('passkey_challenges');
    await queryRunner.dropTable('passkeys');
  }
}
