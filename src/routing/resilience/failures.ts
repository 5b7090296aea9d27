import { ExtensionError, ExtensionTimeoutError, ProviderError } from '../../errors/index.js';

/**
 * What a failed attempt means for the next one:
 * - `transient`: 429, 500, 502, 503, 504, 529 or a connection reset before any byte: retry the same route.
 * - `timeout`: an attempt time limit passed: fail over at once (a silent route is not asked again).
 * - `context`: the request is too long for the model: only a model with a larger context can help.
 * - `policy`: the provider refused on content policy: the caller gets its reason (fail over if configured).
 * - `route`: the route cannot serve (401, 403, 404, an extension without the call): try the next route.
 * - `caller`: anything else the request itself caused (400, 413, 422): no route can help.
 * - `aborted`: the caller left or the app is draining: stop.
 */
export type FailureKind = 'transient' | 'timeout' | 'context' | 'policy' | 'route' | 'caller' | 'aborted';

const TRANSIENT = new Set([429, 500, 502, 503, 504, 529]);
const ROUTE = new Set([401, 403, 404]);
/** Status-less failures worth a retry: a connection reset or refused, a stream cut mid-way. */
const TRANSIENT_CODES = new Set(['connection_error', 'stream_cut']);
const CONTEXT_CODES = new Set(['context_length_exceeded', 'string_above_max_length']);
const POLICY_CODES = new Set(['content_filter', 'content_policy_violation']);

/** A time limit of one attempt passed: which one, after how long. */
export class AttemptTimeoutError extends ExtensionTimeoutError {}

export function classify(error: unknown, callerSignal?: { readonly aborted: boolean }): FailureKind {
  if (callerSignal?.aborted) return 'aborted';
  if (error instanceof AttemptTimeoutError) return 'timeout';
  if (error instanceof ProviderError) {
    if (error.providerCode === 'shutting_down') return 'aborted';
    // The extension's own time limit (an SDK timeout): the route went silent, whatever status it carries.
    if (error.providerCode === 'timeout') return 'timeout';
    if (error.providerCode && CONTEXT_CODES.has(error.providerCode)) return 'context';
    if (error.providerCode && POLICY_CODES.has(error.providerCode)) return 'policy';
    if (error.status === undefined) return TRANSIENT_CODES.has(error.providerCode ?? '') ? 'transient' : 'route';
    if (TRANSIENT.has(error.status)) return 'transient';
    if (error.status === 408) return 'timeout';
    if (ROUTE.has(error.status)) return 'route';
    return error.status >= 500 ? 'transient' : 'caller';
  }
  // UnsupportedOperationError and the like: this route cannot do it, another may.
  if (error instanceof ExtensionError) return 'route';
  return 'route';
}

/** Whether a failure counts against a route's circuit breaker: the route misbehaved, not the request. */
export const countsAgainstRoute = (kind: FailureKind) => kind === 'transient' || kind === 'timeout';
