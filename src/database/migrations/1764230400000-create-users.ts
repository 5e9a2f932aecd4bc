import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The users table, written with TypeORM's portable Table API so it runs on SQLite and PostgreSQL. */
export class CreateUsers1764230400000 implements MigrationInterface {
  name = 'CreateUsers1764230400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.driver.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'name', type: 'varchar', length: '64', isNullable: false },
          { name: 'name_key', type: 'varchar', length: '64', isNullable: false, isUnique: true },
          { name: 'password_hash', type: 'varchar', length: '255', isNullable: false },
          { name: 'disabled', type: 'boolean', isNullable: false, default: false },
          { name: 'created_at', type: timestamp, isNullable: false, default: 'CURRENT_TIMESTAMP' },
          { name: 'updated_at', type: timestamp, isNullable: false, default: 'CURRENT_TIMESTAMP' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('users');
  }
}
