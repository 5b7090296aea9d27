import type { Attributes } from '@opentelemetry/api';

/**
 * The attribute sets of a call's metric points for one combination of labels. Every label is bounded
 * (declared models, extension names, BoundedLabel values), so there are few combinations; each is built
 * once and shared, frozen, by every call that has it. A call then spends no allocation on attributes,
 * and the SDK's hashing reads objects that keep one shape.
 */
export interface PointAttributes {
  /** Operation, request model and provider: the counters of cost, retries and fallbacks. */
  readonly base: Attributes;
  /** With the response model: the time to the first chunk. */
  readonly timed: Attributes;
  /** With the error type, when the call failed: its duration. */
  readonly duration: Attributes;
  /** With the outcome (`ok` or the error type): gleitzeit.requests, counted here (see PointAttributeSets.counted). */
  readonly requests: Attributes;
  /** Token usage by type. */
  readonly input: Attributes;
  readonly output: Attributes;
}

/** Past this many combinations (the SDK's own default cardinality limit), a call's sets are built for it alone. */
const MAX_COMBINATIONS = 2000;

/** Where calls past MAX_COMBINATIONS are counted, as the SDK names its own overflow series. */
const OVERFLOW: Attributes = Object.freeze({ 'otel.metric.overflow': true });

/**
 * The attribute sets by label combination, and the calls counted per outcome. gleitzeit.requests is an
 * observable counter that reads `counted` at each collection: a call adds one to a number here rather
 * than a point to the SDK, which sorts and serializes each point's attributes.
 */
export class PointAttributeSets {
  private readonly sets = new Map<string, PointAttributes>();
  /** Calls by their `requests` attribute set (a bounded number of shared objects, and OVERFLOW). */
  readonly counted = new Map<Attributes, number>();

  count(sets: PointAttributes): void {
    this.counted.set(sets.requests, (this.counted.get(sets.requests) ?? 0) + 1);
  }

  of(operation: string, model: string, extension: string | undefined, responseModel: string | undefined, errorType: string | undefined): PointAttributes {
    const key = `${operation}\u0000${model}\u0000${extension ?? '\u0001'}\u0000${responseModel ?? '\u0001'}\u0000${errorType ?? '\u0001'}`;
    let sets = this.sets.get(key);
    if (!sets) {
      sets = build(operation, model, extension, responseModel, errorType);
      if (this.sets.size < MAX_COMBINATIONS) this.sets.set(key, sets);
      else sets = { ...sets, requests: OVERFLOW };
    }
    return sets;
  }
}

function build(operation: string, model: string, extension: string | undefined, responseModel: string | undefined, errorType: string | undefined): PointAttributes {
  const base: Attributes = { 'gen_ai.operation.name': operation, 'gen_ai.request.model': model };
  if (extension) base['gen_ai.provider.name'] = extension;
  const timed = responseModel ? { ...base, 'gen_ai.response.model': responseModel } : base;
  return Object.freeze({
    base: Object.freeze(base),
    timed: Object.freeze(timed),
    duration: errorType ? Object.freeze({ ...timed, 'error.type': errorType }) : timed,
    requests: Object.freeze({ ...base, outcome: errorType ?? 'ok' }),
    input: Object.freeze({ ...timed, 'gen_ai.token.type': 'input' }),
    output: Object.freeze({ ...timed, 'gen_ai.token.type': 'output' }),
  });
}
