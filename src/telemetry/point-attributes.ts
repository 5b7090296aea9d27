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
  /** With the outcome (`ok` or the error type): gleitzeit.requests. */
  readonly requests: Attributes;
  /** Token usage by type. */
  readonly input: Attributes;
  readonly output: Attributes;
}

/** Past this many combinations (the SDK's own default cardinality limit), a call's sets are built for it alone. */
const MAX_COMBINATIONS = 2000;

export class PointAttributeSets {
  private readonly sets = new Map<string, PointAttributes>();

  of(operation: string, model: string, extension: string | undefined, responseModel: string | undefined, errorType: string | undefined): PointAttributes {
    // Each label with its length: no value (a provider's model name or error code) can pass for two.
    const key = `${operation}|${field(model)}|${field(extension)}|${field(responseModel)}|${field(errorType)}`;
    let sets = this.sets.get(key);
    if (!sets) {
      sets = build(operation, model, extension, responseModel, errorType);
      if (this.sets.size < MAX_COMBINATIONS) this.sets.set(key, sets);
    }
    return sets;
  }
}

const field = (value: string | undefined) => (value === undefined ? '-' : `${value.length}:${value}`);

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
