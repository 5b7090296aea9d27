import Anthropic from '@anthropic-ai/sdk';
import { ProviderError, describeThrown } from '../../src/index.js';

/** `retry-after-ms`, else `retry-after` (seconds or an HTTP date), in ms. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (headers?.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/** The key, wherever it might be echoed, replaced. */
const mask = (text: string, secret: string) => (secret && secret.length >= 4 ? text.split(secret).join('***') : text);

/**
 * What the SDK threw, as a ProviderError: `Anthropic answered <status>: <message>` with the status, the
 * error's type (`overloaded_error`, `rate_limit_error`, ...) as providerCode and Retry-After in ms. An
 * abort of the caller's signal is passed on as the signal's reason.
 */
export function toProviderError(error: unknown, apiKey: string, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  if (error instanceof ProviderError) return error;
  if (error instanceof Anthropic.APIConnectionTimeoutError) {
    return new ProviderError('Anthropic did not answer in time (timeout)', 'claude', { status: 504, providerCode: 'timeout' }, { cause: error });
  }
  if (error instanceof Anthropic.APIError && error.status !== undefined) {
    const body = error.error as { error?: { type?: string; message?: string } } | undefined;
    const type = error.type ?? body?.error?.type ?? undefined;
    const text = error.apiMessage ?? body?.error?.message ?? error.message;
    return new ProviderError(mask(`Anthropic answered ${error.status}: ${text}`, apiKey), 'claude', { status: error.status, providerCode: type ?? undefined, retryAfterMs: retryAfterMs(error.headers) });
  }
  if (error instanceof Anthropic.APIError) {
    return new ProviderError(mask(`Anthropic could not be reached: ${describeThrown(error)}`, apiKey), 'claude', { providerCode: 'connection_error' });
  }
  return new ProviderError(mask(`Anthropic call failed: ${describeThrown(error)}`, apiKey), 'claude');
}
