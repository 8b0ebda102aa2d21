import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// SQLite integers are 64-bit; `number` mode holds epoch milliseconds exactly.
const millis = (name: string) => integer(name, { mode: 'number' });

/** `jwt_sessions` for SQLite: export it from your Drizzle schema so drizzle-kit creates it. */
export const jwtSessions = sqliteTable(
  'jwt_sessions',
  {
    id: text('id', { length: 36 }).primaryKey(),
    userId: text('user_id', { length: 255 }).notNull(),
    family: text('family', { length: 36 }).notNull(),
    refreshHash: text('refresh_hash', { length: 64 }).notNull(),
    previousRefreshHash: text('previous_refresh_hash', { length: 64 }),
    generation: integer('generation').notNull().default(0),
    tokenVersion: integer('token_version').notNull().default(-1),
    createdAt: millis('created_at').notNull(),
    lastUsedAt: millis('last_used_at').notNull(),
    rotatedAt: millis('rotated_at').notNull(),
    expiresAt: millis('expires_at').notNull(),
    idleExpiresAt: millis('idle_expires_at').notNull(),
    userAgent: text('user_agent', { length: 512 }),
    ip: text('ip', { length: 64 }),
    revokedAt: millis('revoked_at'),
    revokeReason: text('revoke_reason', { length: 32 }),
  },
  (t) => [index('idx_jwt_sessions_user').on(t.userId), index('idx_jwt_sessions_family').on(t.family), index('idx_jwt_sessions_expires').on(t.expiresAt)],
);
