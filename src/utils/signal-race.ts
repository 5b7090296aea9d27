import type { AbortSource } from './linked-abort.js';

const ignore = () => undefined;

/**
 * Waits, one after another, each raced against one signal through a single abort listener: what a
 * stream needs per chunk. Racing each chunk with Promise.race against a long-lived promise would
 * leave a reaction on that promise per chunk for the stream's whole length; a listener per chunk
 * costs an EventTarget registration each time. Here a wait is one promise.
 */
export class SignalRace {
  private reject?: (reason: unknown) => void;
  private readonly onAbort = () => this.reject?.(this.signal.reason);

  constructor(private readonly signal: AbortSource) {
    if (!signal.aborted) signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** `work`, unless the signal aborts first: then its reason (and a later failure of `work` is ignored). */
  wait<T>(work: T | PromiseLike<T>): Promise<T> {
    if (this.signal.aborted) {
      Promise.resolve(work).then(ignore, ignore);
      return Promise.reject(this.signal.reason);
    }
    return new Promise<T>((resolve, reject) => {
      this.reject = reject;
      Promise.resolve(work).then(resolve, reject);
    });
  }

  /** Drops the listener: call when the waits are over. */
  dispose(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.reject = undefined;
  }
}
