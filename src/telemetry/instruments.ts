import type { Counter, Histogram, Meter } from '@opentelemetry/api';

/** Bucket boundaries the OpenTelemetry GenAI conventions give for durations (s) and token counts. */
const SECONDS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

/** The metric instruments of one router, created once. */
export interface Instruments {
  duration: Histogram;
  tokens: Histogram;
  firstChunk: Histogram;
  requests: Counter;
  retries: Counter;
  fallbacks: Counter;
  cost: Counter;
  breakerChanges: Counter;
}

export function createInstruments(meter: Meter): Instruments {
  return {
    duration: meter.createHistogram('gen_ai.client.operation.duration', { unit: 's', description: 'GenAI operation duration: a routed call, retries and fallbacks included.', advice: { explicitBucketBoundaries: SECONDS } }),
    tokens: meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}', description: 'Input and output tokens of a routed call (gen_ai.token.type).', advice: { explicitBucketBoundaries: TOKENS } }),
    firstChunk: meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', { unit: 's', description: 'Time from a streamed call to its first content chunk.', advice: { explicitBucketBoundaries: SECONDS } }),
    requests: meter.createCounter('gleitzeit.requests', { description: 'Routed calls by outcome: ok, or the error code.' }),
    retries: meter.createCounter('gleitzeit.retries', { description: 'Attempts on a route after its first within one call.' }),
    fallbacks: meter.createCounter('gleitzeit.fallbacks', { description: 'Calls answered (or last tried) by a route other than the first planned.' }),
    cost: meter.createCounter('gleitzeit.cost', { unit: '{USD}', description: "Estimated cost: tokens times the model's costPerToken." }),
    breakerChanges: meter.createCounter('gleitzeit.breaker.transitions', { description: 'Circuit breaker changes, by route and the state entered.' }),
  };
}
