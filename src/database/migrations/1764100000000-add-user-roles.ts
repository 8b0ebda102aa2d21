import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The demo's roles, a JSON array in a varchar (`simple-json` style, the same on SQLite,
 * PostgreSQL and MySQL/MariaDB). They travel in the access token as the `roles` claim.
 */
export class AddUserRoles1764100000000 implements MigrationInterface {
  name = 'AddUserRoles1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('users', new TableColumn({ name: 'roles', type: 'varchar', length: '255', default: `'["user"]'` }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('users', 'roles');
  }
}
