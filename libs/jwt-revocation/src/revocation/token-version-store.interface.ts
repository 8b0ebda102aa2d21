import type { SessionRecord } from '../sessions/session-record';
import type { SessionStore } from '../sessions/session-store.interface';

/**
 * The source of truth for users' token versions. Implement it to keep versions anywhere;
 * the TypeORM one lives in `nestjs-jwt-revocation/typeorm`.
 */
export interface TokenVersionStore {
  /** The user's current version, or `null` when the user does not exist. Throws when the store cannot be read. */
  getVersion(userId: string): Promise<number | null>;
  /** Raises the version by exactly one in a single atomic step; `false` when the user does not exist. */
  incrementVersion(userId: string): Promise<boolean>;
  /**
   * Optional; `logoutEveryone()` needs both. The everyone-out cutoff: epoch seconds before which
   * every token is refused, `0` when never set. Throws when the store cannot be read.
   */
  getRevokedBefore?(): Promise<number>;
  /** Optional: stores the cutoff `at` (epoch seconds) durably before resolving; never lowers a higher stored value. */
  setRevokedBefore?(at: number): Promise<void>;
  /**
   * Optional: when this store can read `sessions`' table in the same statement as the version (one
   * database, e.g. the SQL and TypeORM stores of one connection), a function answering both in one
   * round trip, used on a cache miss; undefined when it cannot (then two reads are made).
   */
  readerWithSessions?(sessions: SessionStore): VersionAndSessionReader | undefined;
}

/** What a request's revocation check needs of its session. */
export type SessionState = Pick<SessionRecord, 'userId' | 'revokedAt' | 'expiresAt' | 'idleExpiresAt'>;

/** The user's version (`null`: no such user) and the session (`null`: no such session), read together. */
export interface VersionAndSession {
  version: number | null;
  session: SessionState | null;
}

export type VersionAndSessionReader = (userId: string, sessionId: string) => Promise<VersionAndSession>;
