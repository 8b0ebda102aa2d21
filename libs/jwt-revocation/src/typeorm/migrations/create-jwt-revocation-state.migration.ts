import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { REVOKED_BEFORE_ROW } from '../jwt-revocation-state.entity';

/**
 * Creates `jwt_revocation_state` (the `logoutEveryone()` cutoff, see `JwtRevocationStateEntity`)
 * on SQLite, PostgreSQL and MySQL/MariaDB, with its one row at 0. Runs after the sessions migrations.
 */
export class CreateJwtRevocationState1764200000000 implements MigrationInterface {
  name = 'CreateJwtRevocationState1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'jwt_revocation_state',
        columns: [
          { name: 'name', type: 'varchar', length: '32', isPrimary: true },
          { name: 'value', type: 'bigint', default: 0 },
        ],
      }),
      true,
    );
    await queryRunner.manager.createQueryBuilder().insert().into('jwt_revocation_state', ['name', 'value']).values({ name: REVOKED_BEFORE_ROW, value: 0 }).execute();
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('jwt_revocation_state', true);
  }
}
