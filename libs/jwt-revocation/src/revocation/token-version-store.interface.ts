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
}
