import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The durable mail outbox (src/mail/, docs/email.md). */
export class CreateMailOutbox1768410000000 implements MigrationInterface {
  name = 'CreateMailOutbox1768410000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.driver.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.createTable(
      new Table({
        name: 'mail_outbox',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'recipient', type: 'varchar', length: '254', isNullable: false },
          { name: 'subject', type: 'varchar', length: '255', isNullable: false },
          { name: 'text', type: 'text', isNullable: false },
          { name: 'html', type: 'text', isNullable: false },
          { name: 'status', type: 'varchar', length: '16', isNullable: false },
          { name: 'attempts', type: 'integer', isNullable: false, default: 0 },
          { name: 'rejections', type: 'integer', isNullable: false, default: 0 },
          { name: 'next_attempt_at', type: timestamp, isNullable: false },
          { name: 'lease_owner', type: 'varchar', length: '36', isNullable: true },
          { name: 'lease_until', type: timestamp, isNullable: true },
          { name: 'last_error', type: 'varchar', length: '255', isNullable: true },
          { name: 'created_at', type: timestamp, isNullable: false },
          { name: 'sent_at', type: timestamp, isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'IDX_mail_outbox_due', columnNames: ['status', 'next_attempt_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('mail_outbox');
  }
}
