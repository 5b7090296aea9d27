import { createNoopMeter, metrics, SpanStatusCode, trace, type Attributes, type Meter, type ObservableResult, type Span } from '@opentelemetry/api';
import type { RouteAttempt } from '../provider/chat.interface.js';
import { BoundedLabel } from './bounded-labels.js';
import { CallTelemetry, errorType, type CallLogLine, type CallSinks, type GenAiOperation } from './call-telemetry.js';
import { createInstruments } from './instruments.js';
import { PointAttributeSets } from './point-attributes.js';
import { TELEMETRY_SCOPE, type TelemetryOptions } from './telemetry.options.js';

/** A call's telemetry as the router uses it; a no-op one when telemetry is off. */
export type CallRecord = Pick<CallTelemetry, 'plan' | 'firstChunk' | 'succeeded' | 'failed' | 'cancelled' | 'wantsContent'>;

const NO_CALL: CallRecord = { plan: () => undefined, firstChunk: () => undefined, succeeded: () => undefined, failed: () => undefined, cancelled: () => undefined, wantsContent: false };

/** What the gauges read at each collection (never on the request path). */
export interface TelemetrySource {
  /** Every extension with its state. */
  extensions(): { name: string; state: string }[];
  /** The last health answer of a started extension, if one is known (no check runs for a scrape). */
  lastHealthy(name: string): boolean | undefined;
  /** Circuit breakers that are not closed, by route (`extension:model`). */
  breakers(): Record<string, { state: string }>;
}

const BREAKER_VALUE: Record<string, number> = { closed: 0, 'half-open': 1, open: 2 };

interface Resolved {
  from: TelemetryOptions | undefined;
  sinks?: CallSinks;
}

/**
 * The router's and the manager's telemetry through the OpenTelemetry API: spans per call, attempt and
 * lifecycle phase, the GenAI metrics and gleitzeit's own. Providers come from the options or the API's
 * globals (a no-op until the app registers an SDK); they are read on first use, when forRootAsync's
 * options are known.
 */
export class Telemetry {
  private resolved?: Resolved;
  private observed = false;

  constructor(
    private readonly options: () => TelemetryOptions | undefined,
    private readonly source: TelemetrySource,
    private readonly attemptStart: (attempt: RouteAttempt) => number | undefined = () => undefined,
    private readonly log?: (line: () => CallLogLine) => void,
  ) {}

  private sinks(): CallSinks | undefined {
    const from = this.options();
    if (this.resolved && this.resolved.from === from) return this.resolved.sinks;
    if (from?.enabled === false) {
      this.resolved = { from };
      return undefined;
    }
    const tracer = (from?.tracerProvider ?? trace.getTracerProvider()).getTracer(TELEMETRY_SCOPE);
    const meter = (from?.meterProvider ?? metrics.getMeterProvider()).getMeter(TELEMETRY_SCOPE);
    // No meter registered: the API's no-op one. Then no call computes a metric point at all.
    const instruments = meter === createNoopMeter() ? undefined : createInstruments(meter);
    const sinks: CallSinks = {
      tracer,
      instruments,
      labels: { responseModel: new BoundedLabel(), errorType: new BoundedLabel() },
      points: new PointAttributeSets(),
      recordContent: from?.recordContent === true,
      attemptStart: this.attemptStart,
      log: this.log,
    };
    this.resolved = { from, sinks };
    if (instruments) this.observe(meter);
    return sinks;
  }

  /** A routed call begins: `input` (the messages) is recorded only with `recordContent`. */
  call(operation: GenAiOperation, requestedModel: string, stream: boolean, input?: unknown): CallRecord {
    const sinks = this.sinks();
    return sinks ? new CallTelemetry(sinks, operation, requestedModel, stream, input) : NO_CALL;
  }

  /** A span for a lifecycle phase or the boot: `gleitzeit.<what>`; ended by the returned function, with the error if it failed. */
  phase(what: string, attributes: Attributes = {}): (error?: unknown) => void {
    const sinks = this.sinks();
    if (!sinks) return () => undefined;
    const span: Span = sinks.tracer.startSpan(`gleitzeit.${what}`, { attributes });
    return (error?: unknown) => {
      if (error !== undefined) {
        span.setAttribute('error.type', errorType(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      }
      span.end();
    };
  }

  /** A circuit breaker changed: counted by route (a declared `extension:model`, a bounded set). */
  breakerChanged(route: string, to: string): void {
    this.sinks()?.instruments?.breakerChanges.add(1, { 'gleitzeit.route': route, 'gleitzeit.breaker.state': to });
  }

  /** Gauges of extension state, health and breakers: read by the meter at each collection only. */
  private observe(meter: Meter): void {
    if (this.observed) return;
    this.observed = true;
    const state = meter.createObservableGauge('gleitzeit.extension.state', { description: "1 for each extension's current state (label gleitzeit.state)." });
    const healthy = meter.createObservableGauge('gleitzeit.extension.healthy', { description: 'The last health check of each started extension: 1 healthy, 0 not.' });
    const breaker = meter.createObservableGauge('gleitzeit.breaker.state', { description: 'Circuit breakers that are not closed: 1 half-open, 2 open.' });
    state.addCallback((result: ObservableResult) => {
      for (const { name, state: now } of this.source.extensions()) result.observe(1, { 'gleitzeit.extension': name, 'gleitzeit.state': now });
    });
    healthy.addCallback((result: ObservableResult) => {
      for (const { name, state: now } of this.source.extensions()) {
        const answer = now === 'started' ? this.source.lastHealthy(name) : undefined;
        if (answer !== undefined) result.observe(answer ? 1 : 0, { 'gleitzeit.extension': name });
      }
    });
    breaker.addCallback((result: ObservableResult) => {
      for (const [route, { state: now }] of Object.entries(this.source.breakers())) result.observe(BREAKER_VALUE[now] ?? 0, { 'gleitzeit.route': route });
    });
  }
}
