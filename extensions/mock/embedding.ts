import type { EmbeddingRequest, ProviderEmbeddingResponse } from '../../src/extension.js';
import { countTokens, fnv1a } from './answer.js';
import { refused } from './faults.js';

/** The most dimensions a request may ask for (OpenAI's largest model has 3072). */
export const MAX_DIMENSIONS = 4096;

/**
 * A unit-length vector of a text: component i comes from the FNV-1a hash of `i` and the text, scaled
 * to [-1, 1], then the whole is normalized. The same text always gives the same vector; different
 * texts give unrelated ones.
 */
export function vectorOf(text: string, dimensions: number): number[] {
  const raw = Array.from({ length: dimensions }, (_, i) => (fnv1a(`${i}\u0000${text}`) / 0xffffffff) * 2 - 1);
  const length = Math.hypot(...raw) || 1;
  return raw.map((value) => value / length);
}

/** Embeds every input; `request.dimensions` beats the configured default. */
export function embedAll(request: EmbeddingRequest, defaultDimensions: number): ProviderEmbeddingResponse {
  const inputs = Array.isArray(request.input) ? request.input : [request.input];
  const wrong = inputs.findIndex((input) => typeof input !== 'string');
  if (inputs.length === 0 || wrong >= 0) {
    throw refused(`input must be a string or a non-empty array of strings${wrong >= 0 ? `; input[${wrong}] is ${typeof inputs[wrong]}` : ''}.`);
  }
  const dimensions = request.dimensions ?? defaultDimensions;
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS) {
    throw refused(`dimensions must be a whole number from 1 to ${MAX_DIMENSIONS}; got ${JSON.stringify(dimensions)}.`);
  }
  const tokens = inputs.reduce((sum, input) => sum + countTokens(input), 0);
  return {
    model: request.model,
    data: inputs.map((input, index) => ({ index, embedding: vectorOf(input, dimensions) })),
    usage: { promptTokens: tokens, totalTokens: tokens },
  };
}
