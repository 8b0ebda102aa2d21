import type { SqlDialect } from './sql-dialect';

/**
 * `CREATE TABLE jwt_sessions` for each database, as statements to run in order (idempotent).
 * Paste them into your own migration tool (prisma migrate, drizzle-kit, MikroORM migrations) or
 * run them at startup. The app's user table needs its own integer `token_version` column
 * (NOT NULL DEFAULT 0); that table belongs to the app, so no script here touches it.
 * Same columns, types and index names as the TypeORM entity and migrations, so a database can
 * move between stores; `token_version` defaults to -1 ("not recorded") as there.
 */
export const JWT_SESSIONS_SQL: Readonly<Record<SqlDialect, readonly string[]>> = {
  postgresql: [
    `CREATE TABLE IF NOT EXISTS jwt_sessions (
  id varchar(36) NOT NULL PRIMARY KEY,
  user_id varchar(255) NOT NULL,
  family varchar(36) NOT NULL,
  refresh_hash varchar(64) NOT NULL,
  previous_refresh_hash varchar(64) NULL,
  generation integer NOT NULL DEFAULT 0,
  token_version integer NOT NULL DEFAULT -1,
  created_at bigint NOT NULL,
  last_used_at bigint NOT NULL,
  rotated_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  idle_expires_at bigint NOT NULL,
  user_agent varchar(512) NULL,
  ip varchar(64) NULL,
  revoked_at bigint NULL,
  revoke_reason varchar(32) NULL
)`,
    `CREATE INDEX IF NOT EXISTS idx_jwt_sessions_user ON jwt_sessions (user_id)`,
    `CREATE INDEX IF NOT EXISTS idx_jwt_sessions_family ON jwt_sessions (family)`,
    `CREATE INDEX IF NOT EXISTS idx_jwt_sessions_expires ON jwt_sessions (expires_at)`,
  ],
  // SQLite 3.35+ (the stores use UPDATE ... RETURNING).
  sqlite: [
    `CREATE TABLE IF NOT EXISTS jwt_sessions (
  id varchar(36) NOT NULL PRIMARY KEY,
  user_id varchar(255) NOT NULL,
  family varchar(36) NOT NULL,
  refresh_hash varchar(64) NOT NULL,
  previous_refresh_hash varchar(64) NULL,
  generation INTEGER NOT NULL DEFAULT 0,
  token_version INTEGER NOT NULL DEFAULT -1,
  created_at bigint NOT NULL,
  last_used_at bigint NOT NULL,
  rotated_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  idle_expires_at bigint NOT NULL,
  user_agent varchar(512) NULL,
  ip varchar(64) NULL,
  revoked_at bigint NULL,
  revoke_reason varchar(32) NULL
)`,
    `CREATE INDEX IF NOT EXISTS idx_jwt_sessions_user ON jwt_sessions (user_id)`,
    `CREATE INDEX IF NOT EXISTS idx_jwt_sessions_family ON jwt_sessions (family)`,
    `CREATE INDEX IF NOT EXISTS idx_jwt_sessions_expires ON jwt_sessions (expires_at)`,
  ],
  // MariaDB 10.5+ / MySQL 8.
  mysql: [
    `CREATE TABLE IF NOT EXISTS jwt_sessions (
  id varchar(36) NOT NULL PRIMARY KEY,
  user_id varchar(255) NOT NULL,
  family varchar(36) NOT NULL,
  refresh_hash varchar(64) NOT NULL,
  previous_refresh_hash varchar(64) NULL,
  generation int NOT NULL DEFAULT 0,
  token_version int NOT NULL DEFAULT -1,
  created_at bigint NOT NULL,
  last_used_at bigint NOT NULL,
  rotated_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  idle_expires_at bigint NOT NULL,
  user_agent varchar(512) NULL,
  ip varchar(64) NULL,
  revoked_at bigint NULL,
  revoke_reason varchar(32) NULL,
  INDEX idx_jwt_sessions_user (user_id),
  INDEX idx_jwt_sessions_family (family),
  INDEX idx_jwt_sessions_expires (expires_at)
)`,
  ],
};
