import type { Attributes, BatchObservableCallback, Histogram, Meter, Observable } from '@opentelemetry/api';
import type { RevocationCounters } from './revocation-counters';
import {
  CHECK_OUTCOMES,
  CHECK_SOURCES,
  METRIC_NAMES,
  PROPAGATION_BUCKETS_SECONDS,
  REFRESH_OUTCOMES,
  STORE_READ_BUCKETS_SECONDS,
} from './telemetry-names';

/** Where the gauges read their values at collection time. */
export interface GaugeSources {
  cacheEntries?: () => number;
  channelTrusted?: () => boolean;
  /** Live connections per transport context (`ws`, `sse`, `graphql`, ...). */
  liveConnections: Map<string, () => number>;
}

// Built once: the same frozen objects are handed to every observation.
const frozen = (attributes: Attributes): Attributes => Object.freeze(attributes);
const CHECK_ATTRIBUTES = CHECK_OUTCOMES.flatMap((outcome) =>
  CHECK_SOURCES.map((source) => ({ outcome, source, attributes: frozen({ outcome, source }) })),
);
const LOOKUP_HIT = frozen({ result: 'hit' });
const LOOKUP_MISS = frozen({ result: 'miss' });
const REFRESH_ATTRIBUTES = REFRESH_OUTCOMES.map((outcome) => ({ outcome, attributes: frozen({ outcome }) }));
const revocationAttributes = new Map<string, Attributes>();
const contextAttributes = new Map<string, Attributes>();

function cachedAttributes(cache: Map<string, Attributes>, key: string, value: string): Attributes {
  let attributes = cache.get(value);
  if (!attributes) cache.set(value, (attributes = frozen({ [key]: value })));
  return attributes;
}

/**
 * The OpenTelemetry side of the library's telemetry: counters observed from `RevocationCounters`
 * in one batch callback, two histograms recorded directly, gauges read from their sources.
 */
export class RevocationInstruments {
  readonly storeReadDuration: Histogram;
  readonly propagationLag: Histogram;
  private readonly observables: Observable[];
  private readonly observe: BatchObservableCallback;

  constructor(
    private readonly meter: Meter,
    counters: RevocationCounters,
    sources: GaugeSources,
  ) {
    this.storeReadDuration = meter.createHistogram(METRIC_NAMES.storeReadDuration, {
      description: 'Time to read a token version or session from the store on the check path',
      unit: 's',
      advice: { explicitBucketBoundaries: STORE_READ_BUCKETS_SECONDS },
    });
    this.propagationLag = meter.createHistogram(METRIC_NAMES.propagationLag, {
      description: "Delay from a revocation on another instance to its arrival here (publisher's clock; skew included)",
      unit: 's',
      advice: { explicitBucketBoundaries: PROPAGATION_BUCKETS_SECONDS },
    });
    const checks = meter.createObservableCounter(METRIC_NAMES.checks, {
      description: 'Access-token revocation checks by outcome and by where the answer came from',
    });
    const lookups = meter.createObservableCounter(METRIC_NAMES.cacheLookups, { description: 'Cache lookups by result' });
    const revocations = meter.createObservableCounter(METRIC_NAMES.revocations, { description: 'Revocations stored, by type' });
    const refreshes = meter.createObservableCounter(METRIC_NAMES.refreshes, { description: 'Refresh-token exchanges by outcome' });
    const storeErrors = meter.createObservableCounter(METRIC_NAMES.storeErrors, { description: 'Failed store operations' });
    const cacheEntries = meter.createObservableGauge(METRIC_NAMES.cacheEntries, { description: 'Entries in the in-process cache' });
    const channelTrusted = meter.createObservableGauge(METRIC_NAMES.channelTrusted, {
      description: '1 while the invalidation channel is trusted (cache in use), 0 while every check reads the store',
    });
    const liveConnections = meter.createObservableGauge(METRIC_NAMES.liveConnections, {
      description: 'Long-lived authenticated connections, by transport context',
    });

    this.observables = [checks, lookups, revocations, refreshes, storeErrors, cacheEntries, channelTrusted, liveConnections];
    this.observe = (result) => {
      for (const { outcome, source, attributes } of CHECK_ATTRIBUTES) result.observe(checks, counters.checks[outcome][source], attributes);
      result.observe(lookups, counters.cacheHits, LOOKUP_HIT);
      result.observe(lookups, counters.cacheMisses, LOOKUP_MISS);
      for (const [type, count] of counters.revocations) result.observe(revocations, count, cachedAttributes(revocationAttributes, 'type', type));
      for (const { outcome, attributes } of REFRESH_ATTRIBUTES) result.observe(refreshes, counters.refreshes[outcome], attributes);
      result.observe(storeErrors, counters.storeErrors);
      if (sources.cacheEntries) result.observe(cacheEntries, sources.cacheEntries());
      if (sources.channelTrusted) result.observe(channelTrusted, sources.channelTrusted() ? 1 : 0);
      for (const [context, count] of sources.liveConnections) {
        result.observe(liveConnections, count(), cachedAttributes(contextAttributes, 'context', context));
      }
    };
    meter.addBatchObservableCallback(this.observe, this.observables);
  }

  /** Stops observing (module destroy), so a closed app is neither reported nor kept alive by the provider. */
  detach(): void {
    this.meter.removeBatchObservableCallback(this.observe, this.observables);
  }
}
