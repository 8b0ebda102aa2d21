/** What `@CurrentUser()` injects after a token passed every check. */
export interface AuthenticatedUser {
  /** The `sub` claim. */
  id: string;
  /** The session the token belongs to, when sessions are on. */
  sessionId: string | undefined;
  /** The version claim the token carried (equal to the user's current version). */
  tokenVersion: number;
  /** The `jti` claim. */
  tokenId: string;
  /** Epoch seconds. */
  issuedAt: number;
  /** Epoch seconds. */
  expiresAt: number;
}
