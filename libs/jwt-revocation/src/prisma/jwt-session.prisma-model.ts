// PostgreSQL, MySQL and MariaDB: native column types as in the SQL migrations.
const WITH_NATIVE_TYPES = `model JwtSession {
  id                  String  @id @db.VarChar(36)
  userId              String  @map("user_id") @db.VarChar(255)
  family              String  @db.VarChar(36)
  refreshHash         String  @map("refresh_hash") @db.VarChar(64)
  previousRefreshHash String? @map("previous_refresh_hash") @db.VarChar(64)
  generation          Int     @default(0)
  tokenVersion        Int     @default(-1) @map("token_version")
  createdAt           BigInt  @map("created_at")
  lastUsedAt          BigInt  @map("last_used_at")
  rotatedAt           BigInt  @map("rotated_at")
  expiresAt           BigInt  @map("expires_at")
  idleExpiresAt       BigInt  @map("idle_expires_at")
  userAgent           String? @map("user_agent") @db.VarChar(512)
  ip                  String? @db.VarChar(64)
  revokedAt           BigInt? @map("revoked_at")
  revokeReason        String? @map("revoke_reason") @db.VarChar(32)

  @@index([userId], map: "idx_jwt_sessions_user")
  @@index([family], map: "idx_jwt_sessions_family")
  @@index([expiresAt], map: "idx_jwt_sessions_expires")
  @@map("jwt_sessions")
}
`;

const SQLITE = `model JwtSession {
  id                  String  @id
  userId              String  @map("user_id")
  family              String
  refreshHash         String  @map("refresh_hash")
  previousRefreshHash String? @map("previous_refresh_hash")
  generation          Int     @default(0)
  tokenVersion        Int     @default(-1) @map("token_version")
  createdAt           BigInt  @map("created_at")
  lastUsedAt          BigInt  @map("last_used_at")
  rotatedAt           BigInt  @map("rotated_at")
  expiresAt           BigInt  @map("expires_at")
  idleExpiresAt       BigInt  @map("idle_expires_at")
  userAgent           String? @map("user_agent")
  ip                  String?
  revokedAt           BigInt? @map("revoked_at")
  revokeReason        String? @map("revoke_reason")

  @@index([userId], map: "idx_jwt_sessions_user")
  @@index([family], map: "idx_jwt_sessions_family")
  @@index([expiresAt], map: "idx_jwt_sessions_expires")
  @@map("jwt_sessions")
}
`;

/**
 * The `JwtSession` model to paste into the app's schema.prisma, by datasource provider (SQLite
 * has no `@db.VarChar`). It maps to the same `jwt_sessions` table as every other store; create
 * the table with `prisma migrate dev`, or paste JWT_SESSIONS_SQL[provider] into a migration.
 * The app's own User model carries the version: `tokenVersion Int @default(0) @map("token_version")`.
 */
export const JWT_SESSION_PRISMA_MODEL = {
  postgresql: WITH_NATIVE_TYPES,
  cockroachdb: WITH_NATIVE_TYPES,
  mysql: WITH_NATIVE_TYPES,
  sqlite: SQLITE,
} as const;
