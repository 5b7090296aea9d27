import { ExtensionTimeoutError } from '../errors/index.js';
import { AbortScope } from '../utils/linked-abort.js';
import { raceSignal } from '../utils/race-signal.js';

/**
 * The limits of one gateway call: a time limit (restarted by `touch()`, so a stream may run as long as
 * it keeps sending) and the client's connection. `scope` aborts on either and goes to the router.
 */
export class CallLimits {
  /**
   * One abort for both causes (its reason says which), followed by the router's call. It makes no
   * AbortSignal unless one is asked for (`signal`): on Node 20 each costs microseconds and garbage that
   * outlives the young generation, and the provider gets its attempt's own signal anyway.
   */
  readonly scope = new AbortScope();
  private timer?: NodeJS.Timeout;
  private left = false;

  /** An AbortSignal of the call, made on first use (a slow client's wait for `drain`). */
  get signal(): AbortSignal {
    return this.scope.signal;
  }

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
    if (!this.timer && !this.scope.aborted) this.arm(this.ms);
  }

  private last = 0;

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      const left = this.ms - (performance.now() - this.last);
      if (left > 1) return this.arm(left);
      this.scope.abort(new ExtensionTimeoutError(`Extension "${this.extension}" did not answer within ${this.ms} ms; the call was aborted.`, this.extension, 'call', this.ms));
    }, ms);
  }

  /** The client closed its connection before the answer was complete. */
  clientLeft(): void {
    if (this.scope.aborted) return;
    this.left = true;
    clearTimeout(this.timer);
    this.scope.abort(new Error('the client closed the connection'));
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
    return raceSignal(work, this.scope);
  }

  end(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
