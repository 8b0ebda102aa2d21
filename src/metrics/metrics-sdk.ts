import { metrics } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { InvalidConfigError } from '../config';

/** The OpenTelemetry metrics SDK of this process, with its Prometheus exporter. */
export interface MetricsSdk {
  /** The Prometheus text exposition of everything recorded so far. */
  scrape(): Promise<string>;
  /** True when the exporter serves /metrics itself on METRICS_PORT, and the app does not. */
  separatePort: boolean;
  shutdown(): Promise<void>;
}

let registered: MetricsSdk | undefined;

/**
 * Registers the metrics SDK globally. main.ts calls it first, before NestFactory.create: the
 * library takes its meter once, when its module is built, and a later SDK would not see it.
 * With METRICS_PORT set, /metrics is served on that port (METRICS_HOST, default 127.0.0.1) instead of the app's.
 */
export function startMetricsSdk(env: NodeJS.ProcessEnv = process.env): MetricsSdk {
  const port = metricsPortFrom(env);
  const exporter = new PrometheusExporter(
    port === undefined ? { preventServerStart: true } : { port, host: env.METRICS_HOST || '127.0.0.1', endpoint: '/metrics' },
  );
  const meterProvider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'nestjs-jwt-revocation-demo' }),
    readers: [exporter],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  const serializer = new PrometheusSerializer();
  const sdk: MetricsSdk = {
    scrape: async () => serializer.serialize((await exporter.collect()).resourceMetrics),
    separatePort: port !== undefined,
    shutdown: async () => {
      await meterProvider.shutdown(); // also stops the exporter's own server
      metrics.disable();
      if (registered === sdk) registered = undefined;
    },
  };
  registered = sdk;
  return sdk;
}

/** The SDK this process registered, if any (tests start one only where they read /metrics). */
export function registeredMetricsSdk(): MetricsSdk | undefined {
  return registered;
}

function metricsPortFrom(env: NodeJS.ProcessEnv): number | undefined {
  if (!env.METRICS_PORT) return undefined;
  const port = Number(env.METRICS_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidConfigError(`METRICS_PORT must be 1-65535, got "${env.METRICS_PORT}"`);
  return port;
}
