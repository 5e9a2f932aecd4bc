import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The stored audit trail (src/audit/), indexed for GET /admin/audit's filters and for pruning. */
export class CreateAuditEvents1767100000000 implements MigrationInterface {
  name = 'CreateAuditEvents1767100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.driver.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'at', type: timestamp, isNullable: false },
          { name: 'event', type: 'varchar', length: '64', isNullable: false },
          { name: 'actor', type: 'varchar', length: '16', isNullable: true },
          { name: 'user_id', type: 'integer', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'details', type: 'text', isNullable: false },
        ],
        indices: [
          new TableIndex({ name: 'IDX_audit_events_at', columnNames: ['at'] }),
          new TableIndex({ name: 'IDX_audit_events_event_id', columnNames: ['event', 'id'] }),
          new TableIndex({ name: 'IDX_audit_events_user_id_id', columnNames: ['user_id', 'id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('audit_events');
  }
}
