import type { JwtAlgorithm } from '../keys/jws-algorithms';
import type { SessionLimitAction } from './jwt-revocation-options.interface';

/**
 * Every default of `JwtRevocationModuleOptions`, in one place. Applied once at startup by
 * `resolveOptions`; exported so tools (the benchmark report) quote the same values.
 */
export const JWT_REVOCATION_DEFAULTS = deepFreeze({
  algorithm: 'HS256' as JwtAlgorithm,
  accessTokenTtl: 900,
  clockTolerance: 5,
  versionClaim: 'ver',
  maxTokenLength: 4096,
  retryAfterSeconds: 5,
  broadcastTimeoutMs: 3000,
  /** A heartbeat every 500 ms, trust lost 2 s after the last echo: a silent link is noticed well within 3 s. */
  heartbeatIntervalMs: 500,
  heartbeatDeadlineMs: 2000,
  /** Distrust the cache while another instance is silent too (its revocations may not be arriving). */
  watchPeers: true,
  storeTimeoutMs: 3000,
  sessions: {
    absoluteTtl: 30 * 24 * 3600,
    idleTtl: 7 * 24 * 3600,
    reuseGraceMs: 0,
    purgeIntervalMs: 10 * 60 * 1000,
    maxPerUser: 0,
    onLimit: 'revoke-oldest' as SessionLimitAction,
  },
  cache: { enabled: true, maxEntries: 10_000, ttlMs: 60_000 },
  /** Tokens already verified, skipped on their next use (signature and decoding); see `VerifiedTokenMemoOptions`. */
  verifiedTokens: { enabled: true, maxEntries: 10_000, maxBytes: 16 * 1024 * 1024 },
  /** Applied when `cookies` is `true` or an object; cookie mode itself is off by default. */
  cookies: {
    name: 'refresh',
    path: '/auth',
    secure: true,
    sameSite: 'strict' as 'strict' | 'lax',
    csrf: { header: 'x-csrf-token', cookie: 'csrf' },
    trustedOrigins: [] as string[],
    clearSiteData: true,
  },
});

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null) deepFreeze(inner);
  return Object.freeze(value);
}
