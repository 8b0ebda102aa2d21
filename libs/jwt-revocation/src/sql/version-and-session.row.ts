import type { VersionAndSession } from '../revocation/token-version-store.interface';

/** The row of the statement reading a user's version and one session together (columns aliased so). */
export interface VersionAndSessionRow {
  version: unknown;
  session_user_id: unknown;
  revoked_at: unknown;
  expires_at: unknown;
  idle_expires_at: unknown;
}

/** Drivers hand BIGINT back as number, string or bigint: every one becomes a number. */
export function versionAndSessionOf(row: VersionAndSessionRow): VersionAndSession {
  const version = Number(row.version);
  if (row.session_user_id === null || row.session_user_id === undefined) return { version, session: null };
  return {
    version,
    session: {
      userId: String(row.session_user_id),
      revokedAt: row.revoked_at === null || row.revoked_at === undefined ? null : Number(row.revoked_at),
      expiresAt: Number(row.expires_at),
      idleExpiresAt: Number(row.idle_expires_at),
    },
  };
}
