import * as api from '@opentelemetry/api';
import { InvalidRefreshTokenException } from '../errors/invalid-refresh-token.exception';
import { RevocationTelemetry } from './revocation-telemetry';
import { METRIC_NAMES } from './telemetry-names';
import { InMemoryTelemetry } from './in-memory-telemetry.spec-support';

/** Every call the library makes, as one request's worth of work. */
async function exerciseEverything(telemetry: RevocationTelemetry): Promise<unknown[]> {
  telemetry.cacheHit();
  telemetry.cacheMiss();
  telemetry.check('accepted', 'cache');
  telemetry.check('unavailable', 'store');
  telemetry.observeCacheEntries(() => 1);
  telemetry.observeChannelTrusted(() => true);
  telemetry.observeLiveConnections('ws', () => 1)();
  telemetry.invalidationReceived(Date.now() - 5);
  telemetry.storeFailed();
  telemetry.revoked('logout');
  const failure = new Error('store down');
  return Promise.all([
    telemetry.readStore('version', async () => 4),
    telemetry.readStore('session', () => Promise.reject(failure)).catch((error: unknown) => error === failure),
    telemetry.traceRevocation('logout', async () => 'revoked'),
    telemetry.traceRefresh(async (refresh) => (refresh.grace(), 'pair')),
    telemetry.traceRefresh(() => Promise.reject(new InvalidRefreshTokenException('expired'))).catch((error: unknown) => error instanceof InvalidRefreshTokenException),
  ]);
}

const RESULTS = [4, true, 'revoked', 'pair', true];
const EXPECTED_SNAPSHOT = { cacheHits: 1, cacheMisses: 1, storeReads: 2, storeErrors: 2, revocations: 1, failClosedRefusals: 1 };

describe('RevocationTelemetry without an SDK', () => {
  afterEach(() => {
    api.metrics.disable();
    api.trace.disable();
  });

  it('passes results and errors through and still counts for metrics() when no provider is registered', async () => {
    const telemetry = new RevocationTelemetry();
    await expect(exerciseEverything(telemetry)).resolves.toEqual(RESULTS);
    expect(telemetry.metrics()).toEqual(EXPECTED_SNAPSHOT);
  });

  it('misses metrics, not spans, from an SDK registered after construction (register the SDK first)', async () => {
    const late = new RevocationTelemetry();
    const sdk = new InMemoryTelemetry();
    api.metrics.setGlobalMeterProvider(sdk.meterProvider);
    api.trace.setGlobalTracerProvider(sdk.tracerProvider);
    await exerciseEverything(late);
    expect(await sdk.points(METRIC_NAMES.checks)).toEqual([]);
    expect(sdk.spans('jwt_revocation.store.read')).toHaveLength(2); // the API's tracer is a proxy

    const early = new RevocationTelemetry(); // constructed after registration: recorded
    early.check('accepted', 'cache');
    expect(await sdk.value(METRIC_NAMES.checks, { outcome: 'accepted', source: 'cache' })).toBe(1);
    await sdk.shutdown();
  });

  it('works the same when @opentelemetry/api is not installed', async () => {
    const telemetry = new RevocationTelemetry({ api: null });
    await expect(exerciseEverything(telemetry)).resolves.toEqual(RESULTS);
    expect(telemetry.metrics()).toEqual(EXPECTED_SNAPSHOT);
  });

  it('loads without the package on disk, and surfaces any other load failure', async () => {
    const sdk = new InMemoryTelemetry();
    const notInstalled = Object.assign(new Error("Cannot find module '@opentelemetry/api'"), { code: 'MODULE_NOT_FOUND' });
    const brokenInstall = Object.assign(new Error("Cannot find module 'tslib'"), { code: 'MODULE_NOT_FOUND' });
    for (const [failure, loads] of [[notInstalled, true], [brokenInstall, false]] as const) {
      jest.isolateModules(() => {
        jest.doMock('@opentelemetry/api', () => {
          throw failure;
        });
        const { RevocationTelemetry: Isolated } = require('./revocation-telemetry') as typeof import('./revocation-telemetry');
        if (!loads) return expect(() => new Isolated()).toThrow('tslib');
        const telemetry = new Isolated({ meterProvider: sdk.meterProvider });
        telemetry.check('unavailable', 'cache');
        expect(telemetry.metrics().failClosedRefusals).toBe(1);
      });
      jest.dontMock('@opentelemetry/api');
    }
    expect(await sdk.points(METRIC_NAMES.checks)).toEqual([]); // without the API nothing reaches even a given provider
    await sdk.shutdown();
  });
});
