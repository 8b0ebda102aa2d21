// Spec support only (excluded from the build): an SDK wired to in-memory exporters.
import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** An SDK wired to in-memory exporters, for specs that read back what was recorded. */
export class InMemoryTelemetry {
  readonly metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  readonly reader = new PeriodicExportingMetricReader({ exporter: this.metricExporter, exportIntervalMillis: 3_600_000 });
  readonly meterProvider = new MeterProvider({ readers: [this.reader] });
  readonly spanExporter = new InMemorySpanExporter();
  readonly tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(this.spanExporter)] });

  /** Collects now and returns every data point of the named instrument. */
  async points<T = number>(name: string): Promise<DataPoint<T>[]> {
    this.metricExporter.reset();
    await this.reader.forceFlush();
    const found = this.metricExporter
      .getMetrics()
      .flatMap((resource) => resource.scopeMetrics)
      .flatMap((scope) => scope.metrics)
      .filter((metric) => metric.descriptor.name === name);
    return found.flatMap((metric) => metric.dataPoints as DataPoint<T>[]);
  }

  async value(name: string, attributes: Attributes = {}): Promise<number | undefined> {
    const point = (await this.points(name)).find((p) => sameAttributes(p.attributes, attributes));
    return point?.value;
  }

  async histogram(name: string): Promise<Histogram | undefined> {
    return (await this.points<Histogram>(name))[0]?.value;
  }

  spans(name: string) {
    return this.spanExporter.getFinishedSpans().filter((span) => span.name === name);
  }

  async shutdown(): Promise<void> {
    await this.meterProvider.shutdown();
    await this.tracerProvider.shutdown();
  }
}

function sameAttributes(a: Attributes, b: Attributes): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
