/** Counters an app can export to its metrics; read them with `AuthTokenService.metrics()`. */
export interface RevocationMetrics {
  /** Checks answered from the in-process cache. */
  cacheHits: number;
  /** Checks that had to read the source of truth. */
  cacheMisses: number;
  /** Reads of the version or session store. */
  storeReads: number;
  /** Revocations stored (logout, logout-all, session revoke, password change, reuse). */
  revocations: number;
  /** Requests refused because the revocation state could not be read. */
  failClosedRefusals: number;
}

export function emptyMetrics(): RevocationMetrics {
  return { cacheHits: 0, cacheMisses: 0, storeReads: 0, revocations: 0, failClosedRefusals: 0 };
}
