import Anthropic from '@anthropic-ai/sdk';
import { ProviderError, describeThrown } from '../../src/extension.js';

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

/**
 * Anthropic's 400s for a prompt too long for the model ("prompt is too long: 210000 tokens > 200000
 * maximum", "input length and `max_tokens` exceed context limit: ..."): providerCode
 * `context_length_exceeded`, as OpenAI names it, so callers can tell them from other invalid requests.
 */
const CONTEXT_TOO_LONG = /prompt is too long|exceed context limit/i;

/**
 * Whether fetch lost the connection while the body was read (undici's `TypeError: terminated`, caused by
 * a SocketError such as "other side closed"): a stream whose server died mid-answer. By shape, since
 * fetch's errors may come from another realm.
 */
function connectionDropped(error: unknown): boolean {
  const e = error as { name?: unknown; message?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e !== 'object' || e === null || e.name !== 'TypeError') return false;
  return e.message === 'terminated' || (typeof e.cause?.code === 'string' && /^(UND_ERR_SOCKET|ECONNRESET|EPIPE)$/.test(e.cause.code));
}

/** The key, wherever it might be echoed, replaced. */
const mask = (text: string, secret: string) => (secret && secret.length >= 4 ? text.split(secret).join('***') : text);

/**
 * What the SDK threw, as a ProviderError: `Anthropic answered <status>: <message>` with the status, the
 * error's type (`overloaded_error`, `rate_limit_error`, ...) as providerCode (`context_length_exceeded`
 * for a 400 about a prompt too long) and Retry-After in ms. A connection that failed (before an answer,
 * or while a stream was read) has no status and providerCode `connection_error`. An abort of the
 * caller's signal is passed on as the signal's reason.
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
    const tooLong = error.status === 400 && CONTEXT_TOO_LONG.test(String(text));
    return new ProviderError(mask(`Anthropic answered ${error.status}: ${text}`, apiKey), 'claude', {
      status: error.status,
      providerCode: tooLong ? 'context_length_exceeded' : (type ?? undefined),
      retryAfterMs: retryAfterMs(error.headers),
    });
  }
  if (error instanceof Anthropic.APIError) {
    return new ProviderError(mask(`Anthropic could not be reached: ${describeThrown(error)}`, apiKey), 'claude', { providerCode: 'connection_error' });
  }
  if (connectionDropped(error)) {
    return new ProviderError(mask(`Anthropic dropped the connection while streaming: ${describeThrown(error)}`, apiKey), 'claude', { providerCode: 'connection_error' });
  }
  return new ProviderError(mask(`Anthropic call failed: ${describeThrown(error)}`, apiKey), 'claude');
}
