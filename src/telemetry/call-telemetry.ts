import { SpanKind, SpanStatusCode, trace, context, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { ExtensionError, ProviderError } from '../errors/index.js';
import type { RouteAttempt, Usage } from '../provider/chat.interface.js';
import type { BoundedLabel } from './bounded-labels.js';
import type { Instruments } from './instruments.js';
import type { PointAttributeSets } from './point-attributes.js';
import { UNKNOWN_MODEL } from './telemetry.options.js';

export type GenAiOperation = 'chat' | 'embeddings';

/** The route a call planned first: the declared model names the call in metrics (a bounded set). */
export interface PlannedCall {
  extension: string;
  /** The model entry's own name (for a pattern, the pattern): never what the client typed. */
  declaredModel: string;
  match: string;
  costPerToken?: number;
  /** The state of the circuit breaker of the route an attempt took, now (`closed`, `open`, `half-open`). */
  breakerOf?(attempt: RouteAttempt): string | undefined;
}

/** How a call ended well. */
export interface CallAnswer {
  extension: string;
  model?: string;
  id?: string;
  usage?: Usage;
  finishReason?: string | null;
  /** The answer's text, recorded only with `recordContent`. */
  text?: string | null;
  /** The answering model's cost per token, for gleitzeit.cost. */
  costPerToken?: number;
}

/** What a finished call reports: one debug line, as the app's logger prints it (JSON when it is JSON). */
export interface CallLogLine {
  event: 'model_call';
  operation: GenAiOperation;
  model: string;
  extension?: string;
  outcome: string;
  attempts: number;
  latencyMs: number;
  inputTokens?: number;
  outputTokens?: number;
  firstChunkMs?: number;
}

/** What one call's telemetry needs from the router's. */
export interface CallSinks {
  tracer: Tracer;
  /** Undefined when the meter is the API's no-op one: no metric work at all then. */
  instruments?: Instruments;
  labels: { responseModel: BoundedLabel; errorType: BoundedLabel };
  /** The metric points' attribute sets, by label combination. */
  points: PointAttributeSets;
  recordContent: boolean;
  /** The start of an attempt (epoch ms), if known. */
  attemptStart(attempt: RouteAttempt): number | undefined;
  /** The per-call debug line: `line` is built only when the logger will print it. */
  log?(line: () => CallLogLine): void;
}

/** The error's type for `error.type`: the provider's code, else ours (`EXT_ERR_...`). */
export function errorType(error: unknown): string {
  if (error instanceof ProviderError && error.providerCode) return error.providerCode;
  if (error instanceof ExtensionError) return error.code;
  return error instanceof Error ? error.constructor.name : 'unknown';
}

/**
 * The telemetry of one routed call: a span named by the GenAI conventions (`chat <model>`) with one
 * child span per attempt, and at its end the metrics and the debug line. Prompts and answers go on the
 * span only with `recordContent`; configuration never does.
 */
export class CallTelemetry {
  private readonly span: Span;
  private readonly began = performance.now();
  private readonly startedAt = Date.now();
  private planned?: PlannedCall;
  private firstChunkMs?: number;

  constructor(
    private readonly sinks: CallSinks,
    private readonly operation: GenAiOperation,
    requestedModel: string,
    stream: boolean,
    input?: unknown,
  ) {
    this.span = sinks.tracer.startSpan(operation, {
      kind: SpanKind.CLIENT,
      attributes: { 'gen_ai.operation.name': operation, 'gen_ai.request.model': requestedModel, 'gleitzeit.stream': stream },
    });
    if (sinks.recordContent && input !== undefined && this.span.isRecording()) this.span.setAttribute('gen_ai.input.messages', JSON.stringify(input));
  }

  /** The first route of the plan: it names the span and the call's metrics. */
  plan(planned: PlannedCall | undefined): void {
    this.planned = planned;
    if (!planned) return;
    this.span.updateName(`${this.operation} ${planned.declaredModel}`);
    this.span.setAttribute('gleitzeit.match', planned.match);
  }

  /** Whether the answer's text is worth collecting (`recordContent` on a recorded span). */
  get wantsContent(): boolean {
    return this.sinks.recordContent && this.span.isRecording();
  }

  /** A stream's first content chunk arrived. */
  firstChunk(): void {
    this.firstChunkMs ??= performance.now() - this.began;
  }

  succeeded(answer: CallAnswer, attempts: readonly RouteAttempt[] = []): void {
    const span = this.span;
    if (span.isRecording()) {
      const attributes: Attributes = {
        'gen_ai.provider.name': answer.extension,
        'gleitzeit.extension': answer.extension,
        'gleitzeit.attempts': attempts.length || 1,
        'gleitzeit.fallback': this.isFallback(answer.extension),
      };
      if (answer.model) attributes['gen_ai.response.model'] = answer.model;
      if (answer.id) attributes['gen_ai.response.id'] = answer.id;
      if (answer.finishReason) attributes['gen_ai.response.finish_reasons'] = [answer.finishReason];
      if (answer.usage) {
        attributes['gen_ai.usage.input_tokens'] = answer.usage.promptTokens;
        attributes['gen_ai.usage.output_tokens'] = answer.usage.completionTokens;
        if (answer.usage.estimated) attributes['gleitzeit.usage.estimated'] = true;
      }
      if (this.sinks.recordContent && answer.text != null) attributes['gen_ai.output.messages'] = JSON.stringify([{ role: 'assistant', content: answer.text }]);
      span.setAttributes(attributes);
    }
    this.finish('ok', answer.extension, answer, attempts);
  }

  failed(error: unknown, attempts: readonly RouteAttempt[] = []): void {
    const type = errorType(error);
    const extension = attempts.at(-1)?.extension ?? (error instanceof ExtensionError ? error.extensionName : undefined);
    if (this.span.isRecording()) {
      this.span.setAttributes({ 'error.type': type, 'gleitzeit.attempts': attempts.length, ...(extension && { 'gen_ai.provider.name': extension, 'gleitzeit.extension': extension }) });
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : type });
    }
    this.finish(type, extension, undefined, attempts);
  }

  /** The caller stopped reading a stream before its end: not an error of the call. */
  cancelled(attempts: readonly RouteAttempt[] = []): void {
    this.span.setAttribute('gleitzeit.cancelled', true);
    this.finish('cancelled', attempts.at(-1)?.extension, undefined, attempts);
  }

  private isFallback(extension: string | undefined): boolean {
    return this.planned !== undefined && extension !== undefined && extension !== this.planned.extension;
  }

  private finish(outcome: string, extension: string | undefined, answer: CallAnswer | undefined, attempts: readonly RouteAttempt[]): void {
    const seconds = (performance.now() - this.began) / 1000;
    const model = this.planned?.declaredModel ?? UNKNOWN_MODEL;
    if (this.sinks.instruments) this.record(this.sinks.instruments, seconds, model, outcome, extension, answer, attempts);
    this.attemptSpans(attempts);
    this.span.end();
    this.sinks.log?.(() => ({
      event: 'model_call',
      operation: this.operation,
      model,
      ...(extension && { extension }),
      outcome,
      attempts: attempts.length || (outcome === 'ok' ? 1 : 0),
      latencyMs: Math.round(seconds * 1000),
      ...(answer?.usage && { inputTokens: answer.usage.promptTokens, outputTokens: answer.usage.completionTokens }),
      ...(this.firstChunkMs !== undefined && { firstChunkMs: Math.round(this.firstChunkMs) }),
    }));
  }

  /** The call's metric points, on attribute sets shared by every call with the same labels. */
  private record(instruments: Instruments, seconds: number, model: string, outcome: string, extension: string | undefined, answer: CallAnswer | undefined, attempts: readonly RouteAttempt[]): void {
    const { labels } = this.sinks;
    const errorLabel = outcome === 'ok' ? undefined : labels.errorType.value(outcome);
    const points = this.sinks.points.of(this.operation, model, extension, labels.responseModel.value(answer?.model), errorLabel);
    instruments.duration.record(seconds, points.duration);
    instruments.requests.add(1, points.requests);
    if (this.firstChunkMs !== undefined) instruments.firstChunk.record(this.firstChunkMs / 1000, points.timed);
    const usage = answer?.usage;
    if (usage) {
      instruments.tokens.record(usage.promptTokens, points.input);
      instruments.tokens.record(usage.completionTokens, points.output);
      const cost = answer?.costPerToken ?? this.planned?.costPerToken;
      if (cost) instruments.cost.add(cost * (usage.promptTokens + usage.completionTokens), points.base);
    }
    this.countAttempts(instruments, attempts, points.base, extension);
  }

  /** Retries: attempts on a route after its first. A fallback: the call ended on a route other than the first. */
  private countAttempts(instruments: Instruments, attempts: readonly RouteAttempt[], base: Attributes, extension: string | undefined): void {
    let retries = 0;
    // One attempt (the usual call) is no retry: no set to count them in.
    if (attempts.length > 1) {
      const seen = new Set<string>();
      for (const attempt of attempts) {
        if (attempt.outcome === 'skipped') continue;
        const key = `${attempt.extension}\u0000${attempt.model}`;
        if (seen.has(key)) retries++;
        else seen.add(key);
      }
    }
    if (retries) instruments.retries.add(retries, base);
    if (this.isFallback(extension)) instruments.fallbacks.add(1, base);
  }

  /** One child span per attempt, from its start to its end (recorded at the call's end, so the loop pays nothing). */
  private attemptSpans(attempts: readonly RouteAttempt[]): void {
    if (!attempts.length || !this.span.isRecording()) return;
    const parent = trace.setSpan(context.active(), this.span);
    attempts.forEach((attempt, index) => {
      const start = this.sinks.attemptStart(attempt) ?? this.startedAt;
      const breaker = this.planned?.breakerOf?.(attempt);
      const child = this.sinks.tracer.startSpan(
        `${this.operation} ${attempt.model}`,
        {
          kind: SpanKind.CLIENT,
          startTime: start,
          attributes: {
            'gen_ai.operation.name': this.operation,
            'gen_ai.provider.name': attempt.extension,
            'gen_ai.request.model': attempt.model,
            'gleitzeit.attempt': index + 1,
            'gleitzeit.attempt.outcome': attempt.outcome,
            ...(attempt.status !== undefined && { 'http.response.status_code': attempt.status }),
            ...(attempt.outcome !== 'ok' && { 'error.type': attempt.outcome }),
            ...(breaker && { 'gleitzeit.breaker.state': breaker }),
          },
        },
        parent,
      );
      if (attempt.outcome !== 'ok') child.setStatus({ code: SpanStatusCode.ERROR });
      child.end(start + attempt.ms);
    });
  }
}
