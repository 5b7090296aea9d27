import { ExtensionError, ExtensionErrorCode } from './extension.errors.js';

/** The extension that serves a model does not implement the call (`chat`, `chatStream` or `embed`). */
export class UnsupportedOperationError extends ExtensionError {
  constructor(
    message: string,
    extensionName: string,
    readonly operation: 'chat' | 'chatStream' | 'embed',
  ) {
    super(message, ExtensionErrorCode.UNSUPPORTED, extensionName);
  }
}

/** What a provider said when it refused or failed a call. */
export interface ProviderErrorDetails {
  /** The provider's HTTP status (429, 500, 400, ...), when there is one. */
  status?: number;
  /** The provider's error type or code (`rate_limit_exceeded`, `context_length_exceeded`, ...). */
  providerCode?: string;
  /** How long the provider asked to wait before retrying (`Retry-After` / `retry-after-ms`), in ms. */
  retryAfterMs?: number;
}

/**
 * A provider refused or failed a call. Extensions throw it (or the router wraps what they throw) so the
 * caller sees the provider's status and reason, secrets masked.
 */
export class ProviderError extends ExtensionError {
  readonly status?: number;
  readonly providerCode?: string;
  readonly retryAfterMs?: number;

  constructor(message: string, extensionName: string | undefined, details: ProviderErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, ExtensionErrorCode.PROVIDER, extensionName, options);
    this.status = details.status;
    this.providerCode = details.providerCode;
    this.retryAfterMs = details.retryAfterMs;
  }
}
