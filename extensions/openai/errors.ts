import type { APIError } from 'openai';
import { ProviderError } from '../../src/index.js';

/** Milliseconds from `retry-after-ms`, else `retry-after` (seconds, or an HTTP date). */
export function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The message OpenAI wrote, without the SDK's "<status> " prefix. */
function upstreamMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (typeof body?.message === 'string') return body.message;
  return error.message.replace(/^\d{3}\s+/, '') || 'no message';
}

/**
 * An SDK APIError with a status becomes a ProviderError: status, the error's `code` (else its `type`)
 * as providerCode, and the wait the server asked for. Anything else (an abort, a connection failure)
 * is returned as it is; the router wraps it. OpenAI's 401 echoes the key it got, so the key is masked in
 * the message here, and the SDK error (whose body keeps the echo) is not attached as `cause`.
 */
export function toProviderError(error: unknown, sdk: { APIError: typeof APIError }, extension: string, apiKey: string): unknown {
  if (!(error instanceof sdk.APIError) || error.status === undefined) return error;
  const said = apiKey ? upstreamMessage(error).split(apiKey).join('***') : upstreamMessage(error);
  return new ProviderError(`OpenAI answered ${error.status}: ${said}`, extension, {
    status: error.status,
    providerCode: error.code ?? error.type ?? undefined,
    retryAfterMs: retryAfterMs(error.headers),
  });
}
