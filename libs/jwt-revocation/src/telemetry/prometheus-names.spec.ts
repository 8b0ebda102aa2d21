import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { RevocationTelemetry } from './revocation-telemetry';

/** Scrapes the real Prometheus exporter over HTTP, as Prometheus would. */
describe('Prometheus exposition of the revocation metrics', () => {
  let exporter: PrometheusExporter;
  let provider: MeterProvider;
  let server: Server;
  let telemetry: RevocationTelemetry;

  beforeEach(async () => {
    exporter = new PrometheusExporter({ preventServerStart: true });
    provider = new MeterProvider({ readers: [exporter] });
    server = createServer((request, response) => exporter.getMetricsRequestHandler(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    telemetry = new RevocationTelemetry({ meterProvider: provider });
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    await provider.shutdown();
  });

  async function scrape(): Promise<string> {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  }

  it('shows every metric under exactly the documented name and type', async () => {
    telemetry.check('accepted', 'cache');
    await telemetry.readStore('version', async () => 1);
    telemetry.invalidationReceived(Date.now() - 20);
    telemetry.observeCacheEntries(() => 4);
    telemetry.observeChannelTrusted(() => true);
    telemetry.observeLiveConnections('ws', () => 2);

    const text = await scrape();
    const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => `${name} ${type}`);
    expect(families.filter((family) => !family.startsWith('target_info')).sort()).toEqual([
      'jwt_revocation_cache_entries gauge',
      'jwt_revocation_cache_lookups_total counter',
      'jwt_revocation_channel_trusted gauge',
      'jwt_revocation_checks_total counter',
      'jwt_revocation_live_connections gauge',
      'jwt_revocation_propagation_lag_seconds histogram',
      'jwt_revocation_refreshes_total counter',
      'jwt_revocation_revocations_total counter',
      'jwt_revocation_store_errors_total counter',
      'jwt_revocation_store_read_duration_seconds histogram',
    ]);
  });

  it('renders samples a Prometheus query can select by the documented labels', async () => {
    telemetry.check('unavailable', 'store');
    telemetry.revoked('logout');
    telemetry.invalidationReceived(10_000, 10_030);
    telemetry.observeChannelTrusted(() => false);
    await telemetry.traceRefresh(async () => 'pair');

    const text = await scrape();
    expect(sample(text, 'jwt_revocation_checks_total', 'outcome="unavailable",source="store"')).toBe(1);
    expect(sample(text, 'jwt_revocation_checks_total', 'outcome="accepted",source="cache"')).toBe(0);
    expect(sample(text, 'jwt_revocation_revocations_total', 'type="logout"')).toBe(1);
    expect(sample(text, 'jwt_revocation_refreshes_total', 'outcome="rotated"')).toBe(1);
    expect(sample(text, 'jwt_revocation_store_errors_total', '')).toBe(0);
    expect(sample(text, 'jwt_revocation_channel_trusted', '')).toBe(0);
    expect(sample(text, 'jwt_revocation_propagation_lag_seconds_bucket', 'le="0.05"')).toBe(1);
    expect(sample(text, 'jwt_revocation_propagation_lag_seconds_bucket', 'le="0.025"')).toBe(0);
    expect(sample(text, 'jwt_revocation_propagation_lag_seconds_count', '')).toBe(1);
  });
});

/** The value of the one sample of `name` whose labels include `labels` (scope labels ignored). */
function sample(text: string, name: string, labels: string): number {
  const matches = text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => labels === '' || line.includes(labels));
  expect(matches).toHaveLength(1);
  return Number(matches[0].slice(matches[0].lastIndexOf(' ') + 1));
}
