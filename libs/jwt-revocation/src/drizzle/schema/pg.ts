import { bigint, index, integer, pgTable, varchar } from 'drizzle-orm/pg-core';

const millis = (name: string) => bigint(name, { mode: 'number' });

/** `jwt_sessions` for PostgreSQL: export it from your Drizzle schema so drizzle-kit creates it. */
export const jwtSessions = pgTable(
  'jwt_sessions',
  {
    id: varchar('id', { length: 36 }).primaryKey(),
    userId: varchar('user_id', { length: 255 }).notNull(),
    family: varchar('family', { length: 36 }).notNull(),
    refreshHash: varchar('refresh_hash', { length: 64 }).notNull(),
    previousRefreshHash: varchar('previous_refresh_hash', { length: 64 }),
    generation: integer('generation').notNull().default(0),
    tokenVersion: integer('token_version').notNull().default(-1),
    createdAt: millis('created_at').notNull(),
    lastUsedAt: millis('last_used_at').notNull(),
    rotatedAt: millis('rotated_at').notNull(),
    expiresAt: millis('expires_at').notNull(),
    idleExpiresAt: millis('idle_expires_at').notNull(),
    userAgent: varchar('user_agent', { length: 512 }),
    ip: varchar('ip', { length: 64 }),
    revokedAt: millis('revoked_at'),
    revokeReason: varchar('revoke_reason', { length: 32 }),
  },
  (t) => [index('idx_jwt_sessions_user').on(t.userId), index('idx_jwt_sessions_family').on(t.family), index('idx_jwt_sessions_expires').on(t.expiresAt)],
);
