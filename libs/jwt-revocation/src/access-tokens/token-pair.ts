/** What a login, refresh or password change hands the client. */
export interface TokenPair {
  accessToken: string;
  /** Absent when sessions are off. */
  refreshToken?: string;
  /**
   * Seconds until the session ends at the latest (what is left of its absolute lifetime), e.g. a
   * cookie's Max-Age. Present with `refreshToken`.
   */
  refreshExpiresIn?: number;
  tokenType: 'Bearer';
  /** Access-token lifetime in seconds. */
  expiresIn: number;
  /** The session the pair belongs to, when sessions are on. */
  sessionId?: string;
}

/** Where a login or refresh comes from, shown in the session list. */
export interface ClientInfo {
  userAgent?: string;
  ip?: string;
}

/** What `login()` takes beside the user id. */
export interface LoginOptions extends ClientInfo {
  /**
   * App claims for this login's access token, on top of the `claims` option's (these win).
   * Only this first token: a refresh asks the `claims` option alone, so put claims that must
   * last there. Plain JSON; reserved names are refused.
   */
  claims?: Record<string, unknown>;
}
