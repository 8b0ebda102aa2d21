import type { RevocationMetrics } from '../metrics/revocation-metrics';
import { CHECK_SOURCES, KNOWN_REVOCATION_TYPES, REFRESH_OUTCOMES, type CheckOutcome, type CheckSource, type RefreshOutcome } from './telemetry-names';

type Tally<K extends string> = Record<K, number>;

function tally<K extends string>(keys: readonly K[]): Tally<K> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Tally<K>;
}

/**
 * Plain numbers the hot path increments. OpenTelemetry observes them at collection time, so a
 * request costs an integer increment whether or not an SDK is registered.
 */
export class RevocationCounters {
  readonly checks: Record<CheckOutcome, Tally<CheckSource>> = {
    accepted: tally(CHECK_SOURCES),
    refused: tally(CHECK_SOURCES),
    unavailable: tally(CHECK_SOURCES),
  };
  cacheHits = 0;
  cacheMisses = 0;
  storeReads = 0;
  storeErrors = 0;
  readonly refreshes: Tally<RefreshOutcome> = tally(REFRESH_OUTCOMES);
  /** Keyed by event type; types added by later features appear on first use. */
  readonly revocations = new Map<string, number>(KNOWN_REVOCATION_TYPES.map((type) => [type, 0]));

  snapshot(): RevocationMetrics {
    let revocations = 0;
    for (const count of this.revocations.values()) revocations += count;
    let failClosedRefusals = 0;
    for (const source of CHECK_SOURCES) failClosedRefusals += this.checks.unavailable[source];
    return {
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
      storeReads: this.storeReads,
      storeErrors: this.storeErrors,
      revocations,
      failClosedRefusals,
    };
  }
}
