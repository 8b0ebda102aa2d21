/** Counters an app can export to its metrics; read them with `AuthTokenService.metrics()`. */
export interface RevocationMetrics {
  /** Version or session lookups answered by the in-process cache. */
  cacheHits: number;
  /** Lookups that had to read the source of truth. */
  cacheMisses: number;
  /** Reads of the version or session store on the check path. */
  storeReads: number;
  /** Store operations that failed (check-path reads, and the reads and writes of logins, refreshes and revocations). */
  storeErrors: number;
  /** Revocations stored (logout, logout-all, session revoke, password change, reuse). */
  revocations: number;
  /** Requests refused because the revocation state could not be read. */
  failClosedRefusals: number;
}
