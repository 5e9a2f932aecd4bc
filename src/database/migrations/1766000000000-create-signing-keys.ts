import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The signing keys of ES256/RS256 access tokens (src/keys/), private halves encrypted. */
export class CreateSigningKeys1766000000000 implements MigrationInterface {
  name = 'CreateSigningKeys1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = queryRunner.connection.driver.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          { name: 'kid', type: 'varchar', length: '64', isPrimary: true },
          { name: 'algorithm', type: 'varchar', length: '8', isNullable: false },
          { name: 'public_jwk', type: 'text', isNullable: false },
          { name: 'private_key', type: 'text', isNullable: false },
          { name: 'created_at', type: timestamp, isNullable: false },
          { name: 'activates_at', type: timestamp, isNullable: false },
          { name: 'revoked_at', type: timestamp, isNullable: true },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('signing_keys');
  }
}
