import { Controller, Get, Inject, Module, Req, Res, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { TracerProvider } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TelemetryOptions } from '../telemetry/telemetry.options.js';
import { memoizeSdkAttributeHashing } from './attribute-hashing.js';

const PROMETHEUS = Symbol('PROMETHEUS');

/** The app's OpenTelemetry SDK: metrics for /metrics always, traces to OTLP when an endpoint is set. */
export interface AppObservability {
  telemetry: TelemetryOptions;
  prometheus: PrometheusExporter;
  meterProvider: MeterProvider;
  tracerProvider?: BasicTracerProvider;
}

/**
 * From the environment: OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) sends traces
 * to an OTLP/HTTP collector, named by OTEL_SERVICE_NAME (default gleitzeit-gateway);
 * GLEITZEIT_TELEMETRY_CONTENT=true records prompts and answers on spans; GLEITZEIT_METRICS=off and
 * GLEITZEIT_TELEMETRY=off turn metrics, or everything, off. The SDK is handed to
 * ExtensionsModule, not registered globally, and no context manager is installed: an
 * AsyncLocalStorage in use slows every promise of the process.
 */
export function observabilityFromEnv(env: NodeJS.ProcessEnv): AppObservability {
  // Before the MeterProvider makes its storages: they take the SDK's hash function when made.
  memoizeSdkAttributeHashing();
  // One service name for metrics (Prometheus' target_info) and traces.
  const resource = resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'gleitzeit-gateway' });
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  const otlp = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracerProvider = otlp
    ? new BasicTracerProvider({
        resource,
        spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
      })
    : undefined;
  const telemetry: TelemetryOptions = {
    // GLEITZEIT_METRICS=off: /metrics stays empty (the API's no-op meter); GLEITZEIT_TELEMETRY=off: nothing is recorded at all.
    meterProvider: env.GLEITZEIT_METRICS === 'off' ? undefined : meterProvider,
    tracerProvider: tracerProvider as TracerProvider | undefined,
    recordContent: env.GLEITZEIT_TELEMETRY_CONTENT === 'true',
    enabled: env.GLEITZEIT_TELEMETRY !== 'off',
  };
  return { telemetry, prometheus, meterProvider, tracerProvider };
}

/** GET /metrics: every metric in Prometheus' text format (the official exporter's handler). */
@Controller('metrics')
class MetricsController {
  constructor(@Inject(PROMETHEUS) private readonly prometheus: PrometheusExporter) {}

  @Get()
  metrics(@Req() request: IncomingMessage | { raw: IncomingMessage }, @Res() response: ServerResponse | { raw: ServerResponse }): void {
    const raw = <T>(value: T | { raw: T }): T => ('raw' in (value as object) ? (value as { raw: T }).raw : (value as T));
    this.prometheus.getMetricsRequestHandler(raw(request), raw(response));
  }
}

/** Flushes the spans still batched, and stops the meter, when the app closes. */
class ObservabilityShutdown implements OnApplicationShutdown {
  constructor(private readonly observability: AppObservability) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.observability.tracerProvider?.shutdown(), this.observability.meterProvider.shutdown()]);
  }
}

@Module({})
export class ObservabilityModule {
  static register(observability: AppObservability): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [MetricsController],
      providers: [
        { provide: PROMETHEUS, useValue: observability.prometheus },
        { provide: ObservabilityShutdown, useFactory: () => new ObservabilityShutdown(observability) },
      ],
    };
  }
}
