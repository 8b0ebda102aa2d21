import type { RevokeReason, SessionRecord } from './session-record';

/** What a refresh changes when it rotates a session. */
export interface SessionRotation {
  refreshHash: string;
  previousRefreshHash: string;
  generation: number;
  rotatedAt: number;
  lastUsedAt: number;
  idleExpiresAt: number;
  /** The user's version the session is bound to from now on, when it changes (re-binding after a password change). */
  tokenVersion?: number;
}

/**
 * Durable sessions. Every write is committed before the promise resolves, so a revocation
 * survives a restart. Times are epoch milliseconds.
 */
export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  find(sessionId: string): Promise<SessionRecord | null>;
  /**
   * Rotates only if the session is not revoked and its current hash is still `expectedHash`:
   * of concurrent rotations of one token exactly one returns true.
   */
  rotate(sessionId: string, expectedHash: string, rotation: SessionRotation): Promise<boolean>;
  /**
   * Revokes the given live sessions of the user; returns the ids this call revoked. A session
   * already revoked, also by a concurrent call, is not returned: each revocation is reported once.
   */
  revoke(userId: string, sessionIds: string[] | 'all', reason: RevokeReason, at: number): Promise<string[]>;
  /** Revokes every live session of a family; returns the ids this call revoked (as `revoke`). */
  revokeFamily(family: string, reason: RevokeReason, at: number): Promise<string[]>;
  /** Live sessions of a user, newest first. */
  listActive(userId: string, now: number): Promise<SessionRecord[]>;
  /** Deletes sessions that ended (expired or revoked) before `endedBefore`; returns how many. */
  purge(endedBefore: number): Promise<number>;
}
