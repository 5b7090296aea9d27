import { ExtensionTimeoutError } from '../errors/index.js';
import { raceSignal } from '../utils/race-signal.js';

/**
 * The limits of one gateway call: a time limit (restarted by `touch()`, so a stream may run as long as
 * it keeps sending) and the client's connection. `signal` aborts on either and goes to the provider.
 */
export class CallLimits {
  /** One controller for both causes (no AbortSignal.any: it costs weak references per call); its reason says which. */
  private readonly controller = new AbortController();
  private timer?: NodeJS.Timeout;
  private left = false;
  readonly signal: AbortSignal = this.controller.signal;

  constructor(
    private readonly ms: number,
    private readonly extension: string,
  ) {
    this.touch();
  }

  /**
   * Starts the time limit again (a stream sent something). Per chunk this only notes the time: the one
   * timer, when it fires, waits again for what is left since the last chunk.
   */
  touch(): void {
    this.last = performance.now();
    if (!this.timer && !this.signal.aborted) this.arm(this.ms);
  }

  private last = 0;

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      const left = this.ms - (performance.now() - this.last);
      if (left > 1) return this.arm(left);
      this.controller.abort(new ExtensionTimeoutError(`Extension "${this.extension}" did not answer within ${this.ms} ms; the call was aborted.`, this.extension, 'call', this.ms));
    }, ms);
  }

  /** The client closed its connection before the answer was complete. */
  clientLeft(): void {
    if (this.signal.aborted) return;
    this.left = true;
    clearTimeout(this.timer);
    this.controller.abort(new Error('the client closed the connection'));
  }

  /** The client closed its connection: nobody is left to answer, and nothing is worth logging. */
  get clientGone(): boolean {
    return this.left;
  }

  /**
   * Waits for `work`, but no longer than the limits: a provider that ignores its signal still cannot
   * hold the request. Past the time limit this throws an ExtensionTimeoutError (504), the signal's reason.
   */
  race<T>(work: Promise<T>): Promise<T> {
    return raceSignal(work, this.signal);
  }

  end(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
