import type { MeterProvider, Span, SpanOptions, Tracer, TracerProvider } from '@opentelemetry/api';
import type * as OpenTelemetryApi from '@opentelemetry/api';
import type { RevocationEventType } from '../events/revocation-event';
import type { RevocationMetrics } from '../metrics/revocation-metrics';
import { InvalidRefreshTokenException } from '../errors/invalid-refresh-token.exception';
import { loadOptionalPeer } from '../optional-peers/load-optional-peer';
import { RevocationCounters } from './revocation-counters';
import { RevocationInstruments, type GaugeSources } from './revocation-instruments';
import { SPAN_ATTRIBUTES, SPAN_NAMES, TELEMETRY_SCOPE, type CheckOutcome, type CheckSource, type RefreshOutcome, type StoreReadTarget } from './telemetry-names';

export type OpenTelemetryApiModule = typeof OpenTelemetryApi;

export interface RevocationTelemetryOptions {
  /** Default: the global provider. The meter is taken once, here: register the SDK before the Nest app is created. */
  meterProvider?: MeterProvider;
  /** Default: the global provider (a proxy, so an SDK registered later is still used). */
  tracerProvider?: TracerProvider;
  /** The API module; `null` behaves as if `@opentelemetry/api` were not installed. Default: loaded if installed. */
  api?: OpenTelemetryApiModule | null;
}

/** Handed to a traced refresh: `grace()` when a duplicate got the successor pair within the grace window. */
export interface RefreshRecorder {
  grace(): void;
}

const SPAN_KIND_INTERNAL = 0; // SpanKind.INTERNAL, inlined so nothing here needs the API at load time
const SPAN_STATUS_ERROR = 2; // SpanStatusCode.ERROR
const STORE_READ_SPANS: Record<StoreReadTarget, SpanOptions> = {
  version: { kind: SPAN_KIND_INTERNAL, attributes: { [SPAN_ATTRIBUTES.storeTarget]: 'version' } },
  session: { kind: SPAN_KIND_INTERNAL, attributes: { [SPAN_ATTRIBUTES.storeTarget]: 'session' } },
};
const INTERNAL_SPAN: SpanOptions = { kind: SPAN_KIND_INTERNAL };

/**
 * The one place the library records what it does: plain counters behind `AuthTokenService.metrics()`
 * and, through `@opentelemetry/api` (an optional peer), metrics and spans that stay no-ops until the
 * app registers an SDK. Labels are bounded enums; nothing recorded names a user, session, token or email.
 */
export class RevocationTelemetry {
  private readonly counters = new RevocationCounters();
  private readonly gauges: GaugeSources = { liveConnections: new Map() };
  private readonly instruments: RevocationInstruments | undefined;
  private readonly tracer: Tracer | undefined;

  constructor(options: RevocationTelemetryOptions = {}) {
    const api = options.api === undefined ? loadOptionalPeer<OpenTelemetryApiModule>('@opentelemetry/api') : (options.api ?? undefined);
    // Both fields always assigned, so every instance has one shape and the hot path stays monomorphic.
    const meter = api && (options.meterProvider ?? api.metrics.getMeterProvider()).getMeter(TELEMETRY_SCOPE);
    this.instruments = meter ? new RevocationInstruments(meter, this.counters, this.gauges) : undefined;
    this.tracer = api && (options.tracerProvider ?? api.trace.getTracerProvider()).getTracer(TELEMETRY_SCOPE);
  }

  /** The snapshot behind `AuthTokenService.metrics()`. */
  metrics(): RevocationMetrics {
    return this.counters.snapshot();
  }

  cacheHit(): void {
    this.counters.cacheHits++;
  }

  cacheMiss(): void {
    this.counters.cacheMisses++;
  }

  /** One access-token check finished; `unavailable` is a fail-closed refusal. Hot path: an increment. */
  check(outcome: CheckOutcome, source: CheckSource): void {
    this.counters.checks[outcome][source]++;
  }

  /** Runs one check-path store read under a span, timing it and counting its failure; rethrows. */
  readStore<T>(target: StoreReadTarget, query: () => Promise<T>): Promise<T> {
    this.counters.storeReads++;
    if (!this.tracer) return this.timedRead(query, undefined);
    return this.tracer.startActiveSpan(SPAN_NAMES.storeRead, STORE_READ_SPANS[target], (span) => this.timedRead(query, span));
  }

  /** A store operation outside `readStore` failed (a login, refresh or revocation). */
  storeFailed(): void {
    this.counters.storeErrors++;
  }

  /** A revocation was stored. */
  revoked(type: RevocationEventType): void {
    this.counters.revocations.set(type, (this.counters.revocations.get(type) ?? 0) + 1);
  }

  /** Runs a revocation under a span; `sessionsOf` reads how many sessions it ended from its result, when it says. */
  traceRevocation<T>(type: RevocationEventType, revoke: () => Promise<T>, sessionsOf?: (result: T) => number): Promise<T> {
    if (!this.tracer) return revoke();
    return this.inSpan(SPAN_NAMES.revocation, async (span) => {
      span.setAttribute(SPAN_ATTRIBUTES.revocationType, type);
      const result = await revoke();
      if (sessionsOf) span.setAttribute(SPAN_ATTRIBUTES.revokedSessions, sessionsOf(result));
      return result;
    });
  }

  /**
   * Runs a refresh-token exchange under a span and counts its outcome once: `rotated` on success,
   * `grace` when the recorder was told, the refusal's reason when it throws `InvalidRefreshTokenException`.
   * Any other error (the store) names no outcome: it is a store error, and marks the span failed.
   */
  async traceRefresh<T>(exchange: (recorder: RefreshRecorder) => Promise<T>): Promise<T> {
    let outcome: RefreshOutcome | undefined;
    const recorder: RefreshRecorder = { grace: () => (outcome = 'grace') };
    const run = async (span: Span | undefined): Promise<T> => {
      try {
        const result = await exchange(recorder);
        outcome ??= 'rotated';
        return result;
      } catch (error) {
        if (error instanceof InvalidRefreshTokenException) outcome = error.reason;
        else markFailed(span, error);
        throw error;
      } finally {
        if (outcome) {
          this.counters.refreshes[outcome]++;
          span?.setAttribute(SPAN_ATTRIBUTES.refreshOutcome, outcome);
        }
      }
    };
    return this.tracer ? this.tracer.startActiveSpan(SPAN_NAMES.refresh, INTERNAL_SPAN, (span) => run(span).finally(() => span.end())) : run(undefined);
  }

  /**
   * An invalidation from another instance arrived. Lag is measured against the publisher's clock,
   * so clock skew between hosts adds to it or hides it; a negative lag is recorded as 0.
   */
  invalidationReceived(publishedAtMs: number, receivedAtMs = Date.now()): void {
    this.instruments?.propagationLag.record(Math.max(0, receivedAtMs - publishedAtMs) / 1000);
  }

  observeCacheEntries(read: () => number): void {
    this.gauges.cacheEntries = read;
  }

  observeChannelTrusted(read: () => boolean): void {
    this.gauges.channelTrusted = read;
  }

  /**
   * Reports a transport's live connections; the returned function stops reading them. The series
   * then reads 0 rather than vanishing: a cumulative SDK would keep repeating its last value.
   */
  observeLiveConnections(context: string, read: () => number): () => void {
    this.gauges.liveConnections.set(context, read);
    return () => {
      if (this.gauges.liveConnections.get(context) === read) this.gauges.liveConnections.set(context, () => 0);
    };
  }

  /** Stops the metric callbacks (module destroy). Counters keep counting for `metrics()`. */
  detach(): void {
    this.instruments?.detach();
  }

  private async timedRead<T>(query: () => Promise<T>, span: Span | undefined): Promise<T> {
    const started = this.instruments ? performance.now() : 0;
    try {
      return await query();
    } catch (error) {
      this.counters.storeErrors++;
      markFailed(span, error);
      throw error;
    } finally {
      this.instruments?.storeReadDuration.record((performance.now() - started) / 1000);
      span?.end();
    }
  }

  private inSpan<T>(name: string, run: (span: Span) => Promise<T>): Promise<T> {
    return this.tracer!.startActiveSpan(name, INTERNAL_SPAN, async (span) => {
      try {
        return await run(span);
      } catch (error) {
        markFailed(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }
}

function markFailed(span: Span | undefined, error: unknown): void {
  // Only the class name: messages from drivers can quote parameters such as a user id.
  span?.setStatus({ code: SPAN_STATUS_ERROR });
  span?.setAttribute(SPAN_ATTRIBUTES.errorType, (error as Error | undefined)?.name ?? 'Error');
}
