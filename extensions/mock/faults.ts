import { setImmediate as yieldTurn, setTimeout as sleep } from 'node:timers/promises';

/** With no token delay, a stream still gives the event loop a turn every this many tokens, as a network provider would. */
const TOKENS_PER_TURN = 64;

/** The wait before token number `sent` (1, 2, ...) of a stream: the delay, or now and then a turn of the event loop. */
export function tokenPause(sent: number, delayMs: number, options: { readonly signal: AbortSignal }): Promise<void> | undefined {
  if (delayMs > 0) return pause(delayMs, options.signal);
  return sent % TOKENS_PER_TURN === 0 ? yieldTurn() : undefined;
}
import { ProviderError, type ProviderErrorDetails } from '../../src/extension.js';

/*
 * Waits and faults of the mock. Every wait takes the call's signal: when it aborts, the wait rejects at
 * once with the signal's reason and its timer is cleared, so an aborted call leaves nothing behind.
 */

export const EXTENSION = 'mock';

/** Waits `ms` (none for 0); rejects with `signal.reason` as soon as the signal aborts. */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    // timers/promises rejects with its own AbortError; the caller should see why the call was aborted.
    if (signal.aborted) throw signal.reason;
    throw error;
  }
}

/** Never settles until the signal aborts, then rejects with its reason. Holds no timer. */
export function hangUntilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * Whether call number `call` (1, 2, 3, ...) fails at `rate`: it does when ⌊call × rate⌋ grows. So
 * 1 fails every call, 0.5 calls 2, 4, 6, ..., 0.25 calls 4, 8, 12, ..., 0.3 calls 4, 7, 10, ...; the
 * first N calls always hold ⌊N × rate⌋ failures, spread evenly, the same in every run.
 */
export function failsAt(call: number, rate: number): boolean {
  if (!(rate > 0)) return false;
  // The epsilon keeps 0.29 × 100 (28.999...) counting as 29.
  return Math.floor(call * rate + 1e-9) > Math.floor((call - 1) * rate + 1e-9);
}

/** The error code a provider sends with each status, as OpenAI and Anthropic name them. */
const PROVIDER_CODES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'request_timeout',
  409: 'conflict',
  413: 'request_too_large',
  422: 'unprocessable_entity',
  429: 'rate_limit_exceeded',
  500: 'server_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
  529: 'overloaded_error',
};

export const providerCodeOf = (status: number) => PROVIDER_CODES[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error');

export interface FaultSettings {
  failRate: number;
  failFirst?: number;
  failStatus: number;
  failCode?: string;
  failConnection?: boolean;
  retryAfterMs?: number;
  failAfterTokens?: number;
}

/** Whether call number `call` fails before its answer: it is among the first `failFirst`, or `failRate` picks it. */
export const failsCall = (call: number, { failFirst, failRate }: FaultSettings) => call <= (failFirst ?? 0) || failsAt(call, failRate);

/**
 * What an injected failure looks like: with `failConnection`, no status and providerCode
 * `connection_error` (a connection reset before any response byte: no headers, so no Retry-After);
 * else `failStatus` with the code a provider sends for it and `retryAfterMs`. `failCode` replaces the
 * providerCode either way.
 */
function shapeOf(settings: FaultSettings): { details: ProviderErrorDetails; said: string } {
  const { failStatus: status, failConnection, retryAfterMs } = settings;
  const failCode = settings.failCode || undefined;
  if (failConnection) {
    const providerCode = failCode ?? 'connection_error';
    return { details: { providerCode }, said: `connection reset before any response (${providerCode})` };
  }
  const providerCode = failCode ?? providerCodeOf(status);
  const retry = retryAfterMs === undefined ? '' : `, retry after ${retryAfterMs} ms`;
  return { details: { status, providerCode, retryAfterMs }, said: `HTTP ${status} ${providerCode}${retry}` };
}

/** The ProviderError of an injected fault: the status, code and Retry-After a real provider would send. */
export function injectedFault(call: number, operation: string, settings: FaultSettings): ProviderError {
  const { failRate, failFirst = 0 } = settings;
  const { details, said } = shapeOf(settings);
  const why =
    call <= failFirst
      ? `The mock is set to fail the first ${failFirst} call${failFirst === 1 ? '' : 's'} (failFirst, MOCK_FAIL_FIRST); later calls answer.`
      : `The mock is set to fail ${failRate >= 1 ? 'every call' : `a share of ${failRate} of calls`} (failRate, MOCK_FAIL_RATE); set it to 0 to stop injecting faults.`;
  return new ProviderError(`Mock fault on call ${call} (${operation}): ${said}. ${why}`, EXTENSION, details);
}

/** The ProviderError a stream throws after `sent` token chunks when `failAfterTokens` is set: a provider that died mid-answer. */
export function midStreamFault(call: number, sent: number, settings: FaultSettings): ProviderError {
  const { details, said } = shapeOf(settings);
  const n = settings.failAfterTokens;
  return new ProviderError(
    `Mock fault on call ${call} (chatStream) after ${sent} token chunk${sent === 1 ? '' : 's'}: ${said}. The mock is set to fail streams after ${n} token chunk${n === 1 ? '' : 's'} (failAfterTokens, MOCK_FAIL_AFTER_TOKENS); unset it to stop.`,
    EXTENSION,
    details,
  );
}

/** A request the mock refuses as a provider would: 400 (or the status given) with the fix in the message. */
export function refused(message: string, status = 400): ProviderError {
  return new ProviderError(`Mock refused the request: ${message}`, EXTENSION, { status, providerCode: providerCodeOf(status) });
}
