import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Adds `jwt_sessions.token_version`: the user's token version a session is bound to. Existing rows
 * get -1 ("not recorded"): they are bound to the user's current version on their next refresh.
 * Runs after `CreateJwtSessions1763900000000`; add both to your DataSource `migrations`.
 */
export class AddJwtSessionTokenVersion1764000000000 implements MigrationInterface {
  name = 'AddJwtSessionTokenVersion1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('jwt_sessions', new TableColumn({ name: 'token_version', type: 'integer', isNullable: false, default: -1 }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('jwt_sessions', 'token_version');
  }
}
