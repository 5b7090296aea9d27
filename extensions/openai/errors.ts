import type { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { ProviderError } from '../../src/extension.js';

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

/** OpenAI's code for a request its safety system rejected, and the providerCode it becomes. */
const CODES: Record<string, string> = { content_policy_violation: 'content_filter' };

/** An error-like object; checked by shape, since fetch's errors may come from another realm (a VM context). */
const errorLike = (value: unknown): value is { name?: unknown; message?: unknown; code?: unknown; cause?: unknown } =>
  typeof value === 'object' && value !== null && 'message' in value;

/**
 * Whether fetch lost the connection while reading the body (undici's `TypeError: terminated`, caused by
 * a SocketError such as "other side closed"): a stream whose server died after its headers.
 */
function connectionDropped(error: unknown): boolean {
  if (!errorLike(error) || error.name !== 'TypeError') return false;
  const code = errorLike(error.cause) ? error.cause.code : undefined;
  return error.message === 'terminated' || (typeof code === 'string' && /^(UND_ERR_SOCKET|ECONNRESET|EPIPE)$/.test(code));
}

/** The messages of an error's causes, outermost first (`fetch failed: other side closed`); its own without causes. */
function reasons(error: unknown): string {
  const found: string[] = [];
  for (let at = errorLike(error) ? error.cause : undefined; errorLike(at) && found.length < 5; at = at.cause) found.push(String(at.message));
  const own = errorLike(error) ? String(error.message) : String(error);
  if (own !== 'Connection error.' || !found.length) found.unshift(own);
  return found.join(': ');
}

/**
 * What the SDK threw, as a ProviderError:
 * - an APIError with a status: that status, the error's `code` (else its `type`) as providerCode
 *   (`content_policy_violation` becomes `content_filter`), and the wait the server asked for;
 * - a connection that failed before any response (APIConnectionError: refused, reset, DNS) or dropped
 *   while a stream was read: no status, providerCode `connection_error`;
 * - the SDK's own timeout (APIConnectionTimeoutError): no status, providerCode `timeout`;
 * - a stream event whose data is not JSON (the SDK ends the stream with a SyntaxError): no status,
 *   providerCode `malformed_stream`.
 * Anything else (an abort above all) is returned as it is; the router wraps it. OpenAI's 401 echoes
 * the key it got, so the key is masked in the message here, and the SDK error (whose body keeps the
 * echo) is not attached as `cause`.
 */
export function toProviderError(
  error: unknown,
  sdk: { APIError: typeof APIError; APIConnectionError: typeof APIConnectionError; APIConnectionTimeoutError: typeof APIConnectionTimeoutError; APIUserAbortError: typeof APIUserAbortError },
  extension: string,
  apiKey: string,
): unknown {
  const mask = (text: string) => (apiKey ? text.split(apiKey).join('***') : text);
  if (error instanceof sdk.APIConnectionTimeoutError) {
    return new ProviderError('OpenAI did not answer in time (the SDK timeout, the timeout setting)', extension, { providerCode: 'timeout' });
  }
  if (error instanceof sdk.APIConnectionError || connectionDropped(error)) {
    const when = error instanceof sdk.APIConnectionError ? 'could not be reached' : 'dropped the connection while streaming';
    return new ProviderError(mask(`OpenAI ${when} (${reasons(error)})`), extension, { providerCode: 'connection_error' });
  }
  if (errorLike(error) && error.name === 'SyntaxError' && /malformed server-sent event/i.test(String(error.message))) {
    return new ProviderError('OpenAI sent a stream event whose data is not JSON; the stream ends there', extension, { providerCode: 'malformed_stream' });
  }
  if (!(error instanceof sdk.APIError)) return error;
  // An abort of the caller's signal (APIUserAbortError is an APIError without a status): passed on as it is.
  if (error instanceof sdk.APIUserAbortError) return error;
  if (error.status === undefined) {
    // An error event inside a stream (`data: {"error": ...}`): no HTTP status; its text may echo the key.
    const body = error.error as { code?: unknown; type?: unknown } | undefined;
    const code = typeof body?.code === 'string' ? body.code : typeof body?.type === 'string' ? body.type : 'stream_error';
    return new ProviderError(mask(`OpenAI sent an error inside the stream: ${upstreamMessage(error)}`), extension, { providerCode: CODES[code] ?? code });
  }
  const said = mask(upstreamMessage(error));
  const code = error.code ?? error.type ?? undefined;
  return new ProviderError(`OpenAI answered ${error.status}: ${said}`, extension, {
    status: error.status,
    providerCode: code ? (CODES[code] ?? code) : undefined,
    retryAfterMs: retryAfterMs(error.headers),
  });
}
