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
