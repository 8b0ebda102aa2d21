import type { RevokeReason, SessionRecord } from '../sessions/session-record';

/** The `jwt_sessions` columns, in the order the SQL stores write them. */
export const SESSION_COLUMNS = [
  'id',
  'user_id',
  'family',
  'refresh_hash',
  'previous_refresh_hash',
  'generation',
  'token_version',
  'created_at',
  'last_used_at',
  'rotated_at',
  'expires_at',
  'idle_expires_at',
  'user_agent',
  'ip',
  'revoked_at',
  'revoke_reason',
] as const;

export type SessionRow = Record<(typeof SESSION_COLUMNS)[number], unknown>;

export function sessionToParameters(s: SessionRecord): unknown[] {
  return [
    s.id, s.userId, s.family, s.refreshHash, s.previousRefreshHash, s.generation, s.tokenVersion, s.createdAt, s.lastUsedAt,
    s.rotatedAt, s.expiresAt, s.idleExpiresAt, s.userAgent, s.ip, s.revokedAt, s.revokeReason,
  ];
}

// Drivers hand BIGINT back as number, string or bigint: every one becomes a number.
const millis = (value: unknown): number => Number(value);
const integer = millis;
const nullableMillis = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const nullableText = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export function rowToSession(row: SessionRow): SessionRecord {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    family: String(row.family),
    refreshHash: String(row.refresh_hash),
    previousRefreshHash: nullableText(row.previous_refresh_hash),
    generation: integer(row.generation),
    tokenVersion: integer(row.token_version),
    createdAt: millis(row.created_at),
    lastUsedAt: millis(row.last_used_at),
    rotatedAt: millis(row.rotated_at),
    expiresAt: millis(row.expires_at),
    idleExpiresAt: millis(row.idle_expires_at),
    userAgent: nullableText(row.user_agent),
    ip: nullableText(row.ip),
    revokedAt: nullableMillis(row.revoked_at),
    revokeReason: nullableText(row.revoke_reason) as RevokeReason | null,
  };
}
