import type { MeterProvider, TracerProvider } from '@opentelemetry/api';

/**
 * Where the router's traces and metrics go. By default the OpenTelemetry API's global providers: a
 * no-op until the app registers an SDK, so an app without one pays next to nothing.
 */
export interface TelemetryOptions {
  /** Spans of calls, attempts and lifecycle phases. Default: the global tracer provider. */
  tracerProvider?: TracerProvider;
  /** The GenAI and gleitzeit metrics. Default: the global meter provider. */
  meterProvider?: MeterProvider;
  /**
   * Record prompts and completions on call spans (`gen_ai.input.messages`, `gen_ai.output.messages`).
   * Default false: content is people's data; turn it on only where traces may hold it.
   */
  recordContent?: boolean;
  /** `false` turns traces, metrics and the per-call debug line off. Default true. */
  enabled?: boolean;
}

/** Names and limits shared by the spans and metrics. */
export const TELEMETRY_SCOPE = 'gleitzeit-extensions';

/** A label whose values come from outside (a provider's model name, an error code) keeps at most this many. */
export const MAX_LABEL_VALUES = 200;

/** What a label says once its values are used up, or for a model name no route knows. */
export const OTHER = '_OTHER';
export const UNKNOWN_MODEL = '_UNKNOWN';

/** What is wrong with `telemetry` in the module's options, by field. */
export function telemetryIssues(options: unknown): { field: string; message: string }[] {
  if (options === undefined) return [];
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return [{ field: 'telemetry', message: 'must be an object: { tracerProvider?, meterProvider?, recordContent?, enabled? }' }];
  const issues: { field: string; message: string }[] = [];
  const given = options as Record<string, unknown>;
  for (const [key, method] of [['tracerProvider', 'getTracer'], ['meterProvider', 'getMeter']] as const) {
    const provider = given[key] as Record<string, unknown> | undefined;
    if (provider !== undefined && typeof provider?.[method] !== 'function') issues.push({ field: `telemetry.${key}`, message: `must be an OpenTelemetry ${key === 'tracerProvider' ? 'TracerProvider' : 'MeterProvider'} (an object with ${method}())` });
  }
  for (const key of ['recordContent', 'enabled']) {
    if (given[key] !== undefined && typeof given[key] !== 'boolean') issues.push({ field: `telemetry.${key}`, message: `must be true or false (got ${typeof given[key]})` });
  }
  const known = ['tracerProvider', 'meterProvider', 'recordContent', 'enabled'];
  for (const key of Object.keys(given)) if (!known.includes(key)) issues.push({ field: `telemetry.${key}`, message: `is not an option; the options are ${known.join(', ')}` });
  return issues;
}
