import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The tokens of mailed links (src/users/link-tokens.ts): their hash only, bound to an account. */
export class CreateLinkTokens1768420000000 implements MigrationInterface {
  name = 'CreateLinkTokens1768420000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.driver.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.createTable(
      new Table({
        name: 'link_tokens',
        columns: [
          { name: 'id_hash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'user_id', type: 'integer', isNullable: false },
          { name: 'purpose', type: 'varchar', length: '16', isNullable: false },
          { name: 'email', type: 'varchar', length: '254', isNullable: true },
          { name: 'expires_at', type: timestamp, isNullable: false },
          { name: 'used_at', type: timestamp, isNullable: true },
        ],
        indices: [new TableIndex({ name: 'IDX_link_tokens_user_id', columnNames: ['user_id'] })],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('link_tokens');
  }
}
