import { ExtensionErrorCode, ProviderError, type ExtensionError } from '../errors/index.js';

/** A provider's message is relayed up to this length; a wait it asks for, up to a day. */
const MAX_MESSAGE = 2000;
const MAX_WAIT_MS = 86_400_000;

/** OpenAI's error body: what every OpenAI client reads from a failed call. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null; [extra: string]: unknown };
}

/**
 * The HTTP status of each error code. Codes for the server's own setup (a broken extension, a bad
 * config) are 500s: the caller cannot fix them. A provider's answer is mapped by `providerStatus()`.
 */
export const HTTP_STATUS_OF_CODE: Readonly<Record<ExtensionErrorCode, number>> = Object.freeze({
  [ExtensionErrorCode.NOT_FOUND]: 404,
  [ExtensionErrorCode.MODEL_NOT_FOUND]: 404,
  [ExtensionErrorCode.UNSUPPORTED]: 400,
  [ExtensionErrorCode.STATE]: 409,
  [ExtensionErrorCode.TIMEOUT]: 504,
  [ExtensionErrorCode.SHUTDOWN]: 503,
  [ExtensionErrorCode.PROVIDER]: 502,
  [ExtensionErrorCode.LOAD]: 500,
  [ExtensionErrorCode.CONFIG]: 500,
  [ExtensionErrorCode.DEPENDENCY]: 500,
  [ExtensionErrorCode.VALIDATION]: 500,
  [ExtensionErrorCode.LIFECYCLE]: 500,
  [ExtensionErrorCode.BOOT]: 500,
});

/** Client errors a provider reports pass through (the caller can fix them); its own trouble is a 502. */
const PASSED_THROUGH = new Set([400, 404, 409, 413, 415, 422, 429]);

/**
 * A provider's status as the gateway answers it: the caller's own mistakes (context too long, a
 * rate limit) keep their 4xx; a rejected key (401/403, the gateway's setup) and every 5xx or network
 * failure are 502; a provider that timed out (408) is 504.
 */
export function providerStatus(status: number | undefined): number {
  if (status === 408) return 504;
  return status !== undefined && PASSED_THROUGH.has(status) ? status : 502;
}

/** The HTTP status for one of this library's errors. */
export function httpStatusOf(error: ExtensionError): number {
  // A call the shutdown's drain aborted, or every route's breaker open: another instance, or later, can serve it.
  if (error instanceof ProviderError && (error.providerCode === 'shutting_down' || error.providerCode === 'circuit_open')) return 503;
  if (error instanceof ProviderError) return providerStatus(error.status);
  return HTTP_STATUS_OF_CODE[error.code] ?? 500;
}

/** OpenAI's error types, by status. */
export function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 504) return 'timeout_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/**
 * One of this library's errors in OpenAI's shape. `code` is the provider's own code when it gave one
 * (`context_length_exceeded`, `rate_limit_exceeded`), else the EXT_ERR_* code; the extension, the
 * provider's status and the wait it asked for ride along.
 */
export function extensionErrorBody(error: ExtensionError, status = httpStatusOf(error)): OpenAiErrorBody {
  const provider = error instanceof ProviderError ? error : undefined;
  const param = error.code === ExtensionErrorCode.MODEL_NOT_FOUND ? 'model' : null;
  const closeMatches = (error as { closeMatches?: string[] }).closeMatches;
  return {
    error: {
      message: error.message.length > MAX_MESSAGE ? `${error.message.slice(0, MAX_MESSAGE)}... (cut at ${MAX_MESSAGE} characters)` : error.message,
      type: errorType(status),
      param,
      code: provider?.providerCode ?? error.code,
      ...(error.extensionName !== undefined && { extension: error.extensionName }),
      ...(provider?.status !== undefined && { provider_status: provider.status }),
      ...(provider?.retryAfterMs !== undefined && { retry_after_ms: Math.min(provider.retryAfterMs, MAX_WAIT_MS) }),
      ...(closeMatches?.length && { close_matches: closeMatches }),
    },
  };
}

/** Headers that go with an error: `Retry-After` (whole seconds) when the provider asked for a wait. */
export function errorHeaders(error: unknown): Record<string, string> {
  const wait = error instanceof ProviderError ? error.retryAfterMs : undefined;
  return wait !== undefined && Number.isFinite(wait) ? { 'retry-after': String(Math.max(1, Math.ceil(Math.min(wait, MAX_WAIT_MS) / 1000))) } : {};
}
