import { SpanStatusCode } from '@opentelemetry/api';
import { InvalidRefreshTokenException } from '../errors/invalid-refresh-token.exception';
import { RevocationTelemetry } from './revocation-telemetry';
import { METRIC_NAMES, SPAN_NAMES } from './telemetry-names';
import { InMemoryTelemetry } from './in-memory-telemetry.spec-support';

class QueryFailedError extends Error {
  name = 'QueryFailedError';
}

describe('RevocationTelemetry with an SDK', () => {
  let sdk: InMemoryTelemetry;
  let telemetry: RevocationTelemetry;

  beforeEach(() => {
    sdk = new InMemoryTelemetry();
    telemetry = new RevocationTelemetry({ meterProvider: sdk.meterProvider, tracerProvider: sdk.tracerProvider });
  });
  afterEach(() => sdk.shutdown());

  it('counts checks by outcome and source, and feeds metrics() from the same counters', async () => {
    telemetry.check('accepted', 'cache');
    telemetry.check('accepted', 'cache');
    telemetry.check('accepted', 'store');
    telemetry.check('refused', 'cache');
    telemetry.check('unavailable', 'store');
    telemetry.cacheHit();
    telemetry.cacheMiss();

    expect(await sdk.value(METRIC_NAMES.checks, { outcome: 'accepted', source: 'cache' })).toBe(2);
    expect(await sdk.value(METRIC_NAMES.checks, { outcome: 'accepted', source: 'store' })).toBe(1);
    expect(await sdk.value(METRIC_NAMES.checks, { outcome: 'refused', source: 'cache' })).toBe(1);
    expect(await sdk.value(METRIC_NAMES.checks, { outcome: 'unavailable', source: 'store' })).toBe(1);
    expect(await sdk.value(METRIC_NAMES.checks, { outcome: 'refused', source: 'store' })).toBe(0);
    expect(await sdk.value(METRIC_NAMES.cacheLookups, { result: 'hit' })).toBe(1);
    expect(telemetry.metrics()).toEqual({ cacheHits: 1, cacheMisses: 1, storeReads: 0, storeErrors: 0, revocations: 0, failClosedRefusals: 1 });
  });

  it('times a store read under a span naming only what was read', async () => {
    await expect(telemetry.readStore('version', async () => 3)).resolves.toBe(3);

    const [span] = sdk.spans(SPAN_NAMES.storeRead);
    expect(span.attributes).toEqual({ 'jwt_revocation.store.target': 'version' });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    const duration = await sdk.histogram(METRIC_NAMES.storeReadDuration);
    expect(duration?.count).toBe(1);
    expect(duration?.sum).toBeLessThan(1);
    expect(telemetry.metrics().storeReads).toBe(1);
  });

  it('marks a failed read with the error class only, never its message, and rethrows it', async () => {
    const failure = new QueryFailedError('SELECT ... WHERE user_id = $1 -- user-42@example.com');
    await expect(telemetry.readStore('session', () => Promise.reject(failure))).rejects.toBe(failure);

    const [span] = sdk.spans(SPAN_NAMES.storeRead);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.status.message).toBeUndefined();
    expect(span.attributes).toEqual({ 'jwt_revocation.store.target': 'session', 'error.type': 'QueryFailedError' });
    expect(span.events).toEqual([]);
    expect(await sdk.value(METRIC_NAMES.storeErrors)).toBe(1);
    expect((await sdk.histogram(METRIC_NAMES.storeReadDuration))?.count).toBe(1);
  });

  it('counts revocations by type and traces them with the sessions they ended', async () => {
    telemetry.revoked('logout-all');
    await telemetry.traceRevocation('logout-all', async () => undefined);
    await telemetry.traceRevocation('logout', async () => ['s1', 's2'], (ended) => ended.length);
    await expect(telemetry.traceRevocation('session-revoked', () => Promise.reject(new QueryFailedError('down')))).rejects.toThrow('down');

    expect(await sdk.value(METRIC_NAMES.revocations, { type: 'logout-all' })).toBe(1);
    expect(await sdk.value(METRIC_NAMES.revocations, { type: 'logout' })).toBe(0); // traced, never said stored
    expect(await sdk.value(METRIC_NAMES.revocations, { type: 'password-changed' })).toBe(0);
    expect(sdk.spans(SPAN_NAMES.revocation).map((s) => [s.attributes, s.status.code])).toEqual([
      [{ 'jwt_revocation.revocation.type': 'logout-all' }, SpanStatusCode.UNSET],
      [{ 'jwt_revocation.revocation.type': 'logout', 'jwt_revocation.revocation.sessions': 2 }, SpanStatusCode.UNSET],
      [{ 'jwt_revocation.revocation.type': 'session-revoked', 'error.type': 'QueryFailedError' }, SpanStatusCode.ERROR],
    ]);
    expect(telemetry.metrics().revocations).toBe(1);
  });

  it('counts refresh outcomes; a refused refresh is an outcome, a store failure is an error', async () => {
    await telemetry.traceRefresh(async () => 'pair');
    await telemetry.traceRefresh(async (refresh) => (refresh.grace(), 'same pair'));
    await expect(telemetry.traceRefresh(() => Promise.reject(new InvalidRefreshTokenException('reuse')))).rejects.toThrow(InvalidRefreshTokenException);
    await expect(telemetry.traceRefresh(() => Promise.reject(new QueryFailedError('down')))).rejects.toThrow('down');

    expect(await sdk.value(METRIC_NAMES.refreshes, { outcome: 'rotated' })).toBe(1);
    expect(await sdk.value(METRIC_NAMES.refreshes, { outcome: 'grace' })).toBe(1);
    expect(await sdk.value(METRIC_NAMES.refreshes, { outcome: 'reuse' })).toBe(1);
    expect(await sdk.value(METRIC_NAMES.refreshes, { outcome: 'invalid' })).toBe(0);
    expect(sdk.spans(SPAN_NAMES.refresh).map((s) => [s.attributes['jwt_revocation.refresh.outcome'], s.status.code])).toEqual([
      ['rotated', SpanStatusCode.UNSET],
      ['grace', SpanStatusCode.UNSET],
      ['reuse', SpanStatusCode.UNSET],
      [undefined, SpanStatusCode.ERROR],
    ]);
  });

  it('records propagation lag from the publisher timestamp, clamping skew below zero', async () => {
    telemetry.invalidationReceived(1_000, 1_040);
    telemetry.invalidationReceived(2_000, 1_990);

    const lag = await sdk.histogram(METRIC_NAMES.propagationLag);
    expect(lag?.count).toBe(2);
    expect(lag?.sum).toBeCloseTo(0.04, 6);
    expect(lag?.min).toBe(0);
  });

  it('reads the gauges at collection time and reads a closed transport as 0', async () => {
    let trusted = true;
    telemetry.observeCacheEntries(() => 7);
    telemetry.observeChannelTrusted(() => trusted);
    const stopWs = telemetry.observeLiveConnections('ws', () => 3);
    telemetry.observeLiveConnections('sse', () => 1);

    expect(await sdk.value(METRIC_NAMES.cacheEntries)).toBe(7);
    expect(await sdk.value(METRIC_NAMES.channelTrusted)).toBe(1);
    trusted = false;
    expect(await sdk.value(METRIC_NAMES.channelTrusted)).toBe(0);
    expect(await sdk.value(METRIC_NAMES.liveConnections, { context: 'ws' })).toBe(3);
    stopWs();
    expect(await sdk.value(METRIC_NAMES.liveConnections, { context: 'ws' })).toBe(0);
    expect(await sdk.value(METRIC_NAMES.liveConnections, { context: 'sse' })).toBe(1);
  });

  it('labels every series with bounded enums only', async () => {
    telemetry.check('accepted', 'cache');
    telemetry.revoked('session-revoked');
    telemetry.observeLiveConnections('graphql', () => 2);

    const labels = new Set<string>();
    for (const name of Object.values(METRIC_NAMES)) {
      for (const point of await sdk.points(name)) Object.keys(point.attributes).forEach((key) => labels.add(key));
    }
    expect([...labels].sort()).toEqual(['context', 'outcome', 'result', 'source', 'type']);
  });

  it('stops observing after detach while metrics() keeps counting', async () => {
    telemetry.detach();
    telemetry.cacheHit();
    expect(await sdk.points(METRIC_NAMES.cacheLookups)).toEqual([]);
    expect(telemetry.metrics().cacheHits).toBe(1);
  });
});
