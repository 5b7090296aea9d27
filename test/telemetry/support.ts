import type { Attributes } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { resolve } from 'node:path';
import { ExtensionManager, SHIPPED_EXTENSIONS } from '../../src/index.js';

type ExtensionsRuntimeOptions = NonNullable<ConstructorParameters<typeof ExtensionManager>[0]>;

/** A reader that collects when asked: the test's view of every metric point. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** An in-memory OpenTelemetry SDK, handed to ExtensionsModule/ExtensionManager through `telemetry`. */
export function memoryTelemetry() {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    spans: (): ReadableSpan[] => spans.getFinishedSpans(),
    reset: () => spans.reset(),
    /** Every metric by name, as collected now. */
    async metrics(): Promise<Map<string, MetricData>> {
      const { resourceMetrics } = await reader.collect();
      return new Map(resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).map((metric) => [metric.descriptor.name, metric]));
    },
    async shutdown() {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

export type MemoryTelemetry = ReturnType<typeof memoryTelemetry>;

export const BACKUP = resolve('test/fixtures/resilience');

/** The mock (and `backup`, a second mock serving mock-chat after it) under a manager reporting to `telemetry`. */
export async function telemetryManager(telemetry: MemoryTelemetry, options: ExtensionsRuntimeOptions = {}, configs: Record<string, Record<string, unknown>> = {}) {
  const manager = new ExtensionManager({ ...options, telemetry: { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider, ...options.telemetry } }, { env: () => undefined });
  await manager.discoverExtensions([SHIPPED_EXTENSIONS, BACKUP]);
  for (const name of Object.keys(configs)) {
    await manager.loadExtension(name, configs[name]);
    await manager.startExtension(name);
  }
  return manager;
}

/** The points of one metric whose attributes include `where`. */
export function points(metric: MetricData | undefined, where: Attributes = {}): DataPoint<number | Histogram>[] {
  const all = (metric?.dataPoints ?? []) as DataPoint<number | Histogram>[];
  return all.filter((point) => Object.entries(where).every(([key, value]) => point.attributes[key] === value));
}
