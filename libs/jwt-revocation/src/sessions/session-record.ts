/** One login on one device: a rotating refresh token and the access tokens issued from it. */
export interface SessionRecord {
  id: string;
  userId: string;
  /** Sessions of one family die together when a refresh token is replayed. */
  family: string;
  /** SHA-256 (hex) of the current refresh token; the token itself is never stored. */
  refreshHash: string;
  /** SHA-256 of the refresh token this one replaced, for reuse detection and the grace window. */
  previousRefreshHash: string | null;
  /** Increases on every rotation. */
  generation: number;
  /**
   * The user's token version when the session was created or last re-bound (a password change
   * that keeps this device). A refresh is refused, and the session ended, once the user's current
   * version differs, however the version was raised. Negative: not recorded (a row written before
   * this field existed); such a session is bound to the current version on its next refresh.
   */
  tokenVersion: number;
  createdAt: number;
  lastUsedAt: number;
  /** When the current refresh token was issued (epoch ms). */
  rotatedAt: number;
  /** Absolute end of the session (epoch ms). */
  expiresAt: number;
  /** End of the session if unused (epoch ms). */
  idleExpiresAt: number;
  userAgent: string | null;
  ip: string | null;
  revokedAt: number | null;
  revokeReason: string | null;
}

/** Why a session ended; recorded with it. */
export type RevokeReason =
  | 'logout'
  | 'logout-all'
  | 'revoked'
  | 'password-changed'
  | 'reuse-detected'
  | 'other-sessions'
  | 'version-changed'
  | 'user-deleted'
  | 'session-limit'
  | 'everyone-out';
