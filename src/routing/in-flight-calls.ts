import { AbortScope, type AbortSource } from '../utils/linked-abort.js';

/** One router call while it runs: its own abort, and how it ends. */
export interface InFlightCall extends AbortSource {
  /**
   * An AbortSignal of the call (made when first asked for): aborts when the caller's signal does, when
   * a drain passes its limit, or when the request's budget passes. Attempts follow the call itself.
   */
  readonly signal: AbortSignal;
  throwIfAborted(): void;
  /** The extension serving the call, once routed: the drain error names it. */
  extension?: string;
  /** The error a drain aborted the call with, if it did. */
  readonly drainError?: Error;
  /**
   * `work`, unless a drain aborts the call first: then it rejects with the drain error at once, so a
   * provider that ignores its signal still cannot hold the shutdown.
   */
  race<T>(work: T | PromiseLike<T>): Promise<T>;
  /** Aborts the provider's call (a consumer that left a stream early). */
  abort(reason: Error): void;
  /** The call is over: it stops counting and drops its listener on the caller's signal. */
  end(): void;
}

/** What a drain did: calls that finished within the limit, and calls aborted at it. */
export interface DrainResult {
  finished: number;
  aborted: number;
}

class Call extends AbortScope implements InFlightCall {
  extension?: string;
  drainError?: Error;
  /** Neighbours in InFlightCalls' list while the call is in flight. */
  previous?: Call;
  following?: Call;
  private cut?: (error: Error) => void;
  private ended = false;
  private readonly forward = () => this.abort(this.caller?.reason);

  constructor(
    private readonly caller: AbortSource | undefined,
    private readonly onEnd: (call: Call) => void,
  ) {
    super();
    if (caller?.aborted) this.forward();
    else caller?.addEventListener('abort', this.forward, { once: true });
  }

  race<T>(work: T | PromiseLike<T>): Promise<T> {
    if (this.drainError) {
      // Already drained: the provider's answer, if it ever comes, is dropped (and its failure handled).
      Promise.resolve(work).catch(() => undefined);
      return Promise.reject(this.drainError);
    }
    const cut = new Promise<never>((_, reject) => (this.cut = reject));
    return Promise.race([work, cut]).finally(() => (this.cut = undefined));
  }

  /** Called by drain() at its limit. */
  drain(error: Error): void {
    this.drainError = error;
    this.abort(error);
    this.cut?.(error);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.caller?.removeEventListener('abort', this.forward);
    this.onEnd(this);
  }
}

/**
 * The router's calls in flight (chat and embed until they settle, streams from the first `next()`
 * until they end), so a shutdown can wait for them and abort what is left at a limit.
 */
export class InFlightCalls {
  /** The calls in flight, newest first: a list through the calls themselves, so a call costs no table entry. */
  private newest?: Call;
  private count = 0;
  private readonly idle = new Set<() => void>();
  private finishedSince = 0;

  get size(): number {
    return this.count;
  }

  open(callerSignal?: AbortSource): InFlightCall {
    const call = new Call(callerSignal, (ended) => this.close(ended));
    call.following = this.newest;
    if (this.newest) this.newest.previous = call;
    this.newest = call;
    this.count++;
    return call;
  }

  private close(call: Call): void {
    if (call.previous) call.previous.following = call.following;
    else if (this.newest === call) this.newest = call.following;
    else return;
    if (call.following) call.following.previous = call.previous;
    call.previous = call.following = undefined;
    this.count--;
    this.finishedSince++;
    if (this.count === 0) for (const wake of [...this.idle]) wake();
  }

  private inFlight(): Call[] {
    const calls: Call[] = [];
    for (let call = this.newest; call; call = call.following) calls.push(call);
    return calls;
  }

  /**
   * Resolves when no call is in flight (calls that begin meanwhile count too), or at `limitMs`, when
   * every call still in flight is aborted with `reason(extension)`. Leaves no timer and no listener.
   */
  async drain(limitMs: number, reason: (call: InFlightCall) => Error): Promise<DrainResult> {
    const began = this.finishedSince;
    if (this.count > 0) {
      let timer: NodeJS.Timeout | undefined;
      let wake!: () => void;
      const idle = new Promise<'idle'>((resolve) => (wake = () => resolve('idle')));
      this.idle.add(wake);
      const limit = new Promise<'limit'>((resolve) => (timer = setTimeout(resolve, limitMs, 'limit')));
      try {
        if ((await Promise.race([idle, limit])) === 'limit') {
          const left = this.inFlight();
          for (const call of left) call.drain(reason(call));
          return { finished: this.finishedSince - began, aborted: left.length };
        }
      } finally {
        clearTimeout(timer);
        this.idle.delete(wake);
      }
    }
    return { finished: this.finishedSince - began, aborted: 0 };
  }
}
