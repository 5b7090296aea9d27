import { ExtensionTimeoutError } from '../errors/index.js';

/**
 * The limits of one gateway call: a time limit (restarted by `touch()`, so a stream may run as long as
 * it keeps sending) and the client's connection. `signal` aborts on either and goes to the provider.
 */
export class CallLimits {
  private readonly timeout = new AbortController();
  private readonly gone = new AbortController();
  private timer?: NodeJS.Timeout;
  readonly signal: AbortSignal;

  constructor(
    private readonly ms: number,
    private readonly extension: string,
  ) {
    this.signal = AbortSignal.any([this.timeout.signal, this.gone.signal]);
    this.touch();
  }

  /** Starts the time limit again (a stream sent something). */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.timeout.abort(new ExtensionTimeoutError(`Extension "${this.extension}" did not answer within ${this.ms} ms; the call was aborted.`, this.extension, 'call', this.ms)), this.ms);
  }

  /** The client closed its connection before the answer was complete. */
  clientLeft(): void {
    this.gone.abort(new Error('the client closed the connection'));
  }

  /** The client closed its connection: nobody is left to answer, and nothing is worth logging. */
  get clientGone(): boolean {
    return this.gone.signal.aborted;
  }

  get timedOut(): boolean {
    return this.timeout.signal.aborted;
  }

  get timeoutError(): ExtensionTimeoutError {
    return this.timeout.signal.reason as ExtensionTimeoutError;
  }

  /**
   * Waits for `work`, but no longer than the limits: a provider that ignores its signal still cannot
   * hold the request. Past the time limit this throws an ExtensionTimeoutError (504).
   */
  async race<T>(work: Promise<T>): Promise<T> {
    let stop!: () => void;
    const aborted = new Promise<never>((_, reject) => {
      stop = () => reject(this.signal.reason);
      if (this.signal.aborted) stop();
      else this.signal.addEventListener('abort', stop, { once: true });
    });
    try {
      return await Promise.race([work, aborted]);
    } catch (error) {
      throw this.timedOut ? this.timeoutError : error;
    } finally {
      this.signal.removeEventListener('abort', stop);
      work.catch(() => undefined);
      aborted.catch(() => undefined);
    }
  }

  end(): void {
    clearTimeout(this.timer);
  }
}
