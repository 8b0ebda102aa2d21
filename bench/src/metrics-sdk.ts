import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/** Prometheus' default scrape interval. */
const SCRAPE_INTERVAL_MS = 15_000;

/**
 * The (d-otel) row: the OpenTelemetry metrics SDK registered as the demo registers it, before the
 * app is built, and collected as often as Prometheus would scrape it.
 */
export function registerMetricsSdk(): void {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
  setInterval(() => void exporter.collect(), SCRAPE_INTERVAL_MS).unref();
}
