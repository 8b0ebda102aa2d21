import type { RevocationEventType } from '../events/revocation-event';
import type { RefreshRefusal } from '../errors/invalid-refresh-token.exception';

/** Instrumentation scope of every meter and tracer the library asks for. */
export const TELEMETRY_SCOPE = 'nestjs-jwt-revocation';

/**
 * OpenTelemetry instrument names. Counters carry no `_total`: the Prometheus exporter appends it
 * to every monotonic sum, so `jwt_revocation_checks` is scraped as `jwt_revocation_checks_total`.
 * Durations end in `_seconds` with unit `s`, which the exporter does not repeat.
 */
export const METRIC_NAMES = {
  checks: 'jwt_revocation_checks',
  cacheLookups: 'jwt_revocation_cache_lookups',
  revocations: 'jwt_revocation_revocations',
  refreshes: 'jwt_revocation_refreshes',
  storeReadDuration: 'jwt_revocation_store_read_duration_seconds',
  storeErrors: 'jwt_revocation_store_errors',
  propagationLag: 'jwt_revocation_propagation_lag_seconds',
  cacheEntries: 'jwt_revocation_cache_entries',
  channelTrusted: 'jwt_revocation_channel_trusted',
  liveConnections: 'jwt_revocation_live_connections',
} as const;

/** Span names; attributes never carry a token, user id, session id or email. */
export const SPAN_NAMES = {
  /** One read of the version or session store on the check path; attribute `jwt_revocation.store.target`. */
  storeRead: 'jwt_revocation.store.read',
  /** One revocation (logout, logout-all, ...); attributes `jwt_revocation.revocation.type`, `jwt_revocation.revocation.sessions`. */
  revocation: 'jwt_revocation.revoke',
  /** One refresh-token exchange; attribute `jwt_revocation.refresh.outcome`. */
  refresh: 'jwt_revocation.refresh',
} as const;

export const SPAN_ATTRIBUTES = {
  storeTarget: 'jwt_revocation.store.target',
  revocationType: 'jwt_revocation.revocation.type',
  revokedSessions: 'jwt_revocation.revocation.sessions',
  refreshOutcome: 'jwt_revocation.refresh.outcome',
  /** The error's class name only: driver messages can quote query parameters such as a user id. */
  errorType: 'error.type',
} as const;

export const CHECK_OUTCOMES = ['accepted', 'refused', 'unavailable'] as const;
/** accepted: token current; refused: revoked or unknown (401); unavailable: state unreadable, refused fail-closed (503). */
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number];

export const CHECK_SOURCES = ['cache', 'store'] as const;
/** cache: answered without a store read; store: at least one store read was needed. */
export type CheckSource = (typeof CHECK_SOURCES)[number];

/** rotated: a new pair; grace: a concurrent duplicate within `reuseGraceMs` got the same successor; the rest are refusals. */
export type RefreshOutcome = 'rotated' | 'grace' | RefreshRefusal;
export const REFRESH_OUTCOMES: readonly RefreshOutcome[] = ['rotated', 'grace', 'reuse', 'expired', 'revoked', 'invalid'];

/** What a store read on the check path asks for (a span attribute). */
export type StoreReadTarget = 'version' | 'session';

/** Seeded at zero so each series exists before its first event and `rate()` works from the start. */
export const KNOWN_REVOCATION_TYPES: readonly RevocationEventType[] = [
  'logout',
  'logout-all',
  'session-revoked',
  'password-changed',
  'refresh-reuse-detected',
];

/** Store reads: sub-millisecond for a warm read on a local database, seconds when it stalls. */
export const STORE_READ_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Propagation: the target is p99 under 100 ms, so resolve well around it. */
export const PROPAGATION_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
