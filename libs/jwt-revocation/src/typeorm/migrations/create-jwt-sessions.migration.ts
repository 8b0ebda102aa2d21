import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Creates `jwt_sessions` with the same columns and indexes as `JwtSessionEntity`, on SQLite,
 * PostgreSQL and MySQL/MariaDB alike. Add it to your DataSource `migrations`.
 */
export class CreateJwtSessions1763900000000 implements MigrationInterface {
  name = 'CreateJwtSessions1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const varchar = (name: string, length: number, nullable = false) => ({ name, type: 'varchar', length: String(length), isNullable: nullable });
    const millis = (name: string, nullable = false) => ({ name, type: 'bigint', isNullable: nullable });
    await queryRunner.createTable(
      new Table({
        name: 'jwt_sessions',
        columns: [
          { ...varchar('id', 36), isPrimary: true },
          varchar('user_id', 255),
          varchar('family', 36),
          varchar('refresh_hash', 64),
          varchar('previous_refresh_hash', 64, true),
          { name: 'generation', type: 'integer', default: 0 },
          millis('created_at'),
          millis('last_used_at'),
          millis('rotated_at'),
          millis('expires_at'),
          millis('idle_expires_at'),
          varchar('user_agent', 512, true),
          varchar('ip', 64, true),
          millis('revoked_at', true),
          varchar('revoke_reason', 32, true),
        ],
      }),
      true,
    );
    await queryRunner.createIndices('jwt_sessions', [
      new TableIndex({ name: 'idx_jwt_sessions_user', columnNames: ['user_id'] }),
      new TableIndex({ name: 'idx_jwt_sessions_family', columnNames: ['family'] }),
      new TableIndex({ name: 'idx_jwt_sessions_expires', columnNames: ['expires_at'] }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('jwt_sessions', true);
  }
}
