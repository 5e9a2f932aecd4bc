import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * users.name_key as varchar(255): a name of 64 characters can fold to more (nameKey lower-cases,
 * and "İ" becomes "i" + U+0307), which PostgreSQL's varchar(64) refuses. SQLite does not enforce
 * varchar lengths, and changing a column there rebuilds the table, so only PostgreSQL is altered.
 */
export class WidenNameKey1765000000000 implements MigrationInterface {
  name = 'WidenNameKey1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'postgres') {
      await queryRunner.changeColumn('users', 'name_key', nameKey('255'));
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type === 'postgres') {
      await queryRunner.changeColumn('users', 'name_key', nameKey('64'));
    }
  }
}

const nameKey = (length: string) =>
  new TableColumn({ name: 'name_key', type: 'varchar', length, isNullable: false, isUnique: true });
