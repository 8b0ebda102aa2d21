import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * On MySQL and MariaDB a varchar takes the table's collation, which ignores case and accents
 * (`utf8mb4_general_ci`): `josé@` would find `jose@`'s account. The demo stores emails normalized
 * (NFC, lower case), so the column compares bytes. PostgreSQL and SQLite already compare exactly.
 */
export class UsersEmailExactMatch1763850000000 implements MigrationInterface {
  name = 'UsersEmailExactMatch1763850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!isMysqlFamily(queryRunner)) return;
    await queryRunner.query('ALTER TABLE `users` MODIFY `email` varchar(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (!isMysqlFamily(queryRunner)) return;
    await queryRunner.query('ALTER TABLE `users` MODIFY `email` varchar(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL');
  }
}

function isMysqlFamily(queryRunner: QueryRunner): boolean {
  return queryRunner.connection.options.type === 'mysql' || queryRunner.connection.options.type === 'mariadb';
}
