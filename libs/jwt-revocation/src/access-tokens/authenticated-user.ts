/**
 * What `@CurrentUser()` injects after a token passed every check. `TClaims` types the app's own
 * claims: `@CurrentUser() user: AuthenticatedUser<{ roles: string[] }>`.
 */
export interface AuthenticatedUser<TClaims extends object = Record<string, unknown>> {
  /** The `sub` claim, always a string (a numeric user id 42 arrives as "42"). */
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
  /**
   * The app's claims the token carried (from the `claims` option or `login({ claims })`), as
   * signed: everything but the library's own claims. `{}` when there are none.
   */
  claims: TClaims;
}
