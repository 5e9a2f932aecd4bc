import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { nameSkeleton } from '../../common/validation/account-name.js';

/**
 * users.name_skeleton: what a name looks like (nameSkeleton), unique, so that a name cannot be
 * taken that looks like a taken one. Existing rows get theirs; where two existing names already
 * look alike, the later one keeps NULL (a unique index allows many), stays usable, and blocks
 * nothing new that the earlier one does not block already.
 */
export class AddNameSkeleton1764900000000 implements MigrationInterface {
  name = 'AddNameSkeleton1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'users',
      new TableColumn({ name: 'name_skeleton', type: 'varchar', length: '255', isNullable: true }),
    );
    // Plain SQL, not the query builder: a migration must not depend on today's entities (the
    // builder maps 'users' to UserEntity and its property names). Placeholders from the driver
    // ('?' on SQLite, '$1' on PostgreSQL).
    const users = (await queryRunner.query('SELECT id, name FROM users ORDER BY id')) as {
      id: number;
      name: string;
    }[];
    const parameter = (index: number) => queryRunner.connection.driver.createParameter(`p${index}`, index);
    const taken = new Set<string>();
    for (const { id, name } of users) {
      const skeleton = nameSkeleton(name);
      if (!taken.has(skeleton)) {
        taken.add(skeleton);
        await queryRunner.query(
          `UPDATE users SET name_skeleton = ${parameter(0)} WHERE id = ${parameter(1)}`,
          [skeleton, id],
        );
      }
    }
    await queryRunner.createIndex(
      'users',
      new TableIndex({ name: 'IDX_users_name_skeleton', columnNames: ['name_skeleton'], isUnique: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('users', 'IDX_users_name_skeleton');
    await queryRunner.dropColumn('users', 'name_skeleton');
  }
}
