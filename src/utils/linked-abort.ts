/**
 * What a child abort needs of its parent: whether it aborted, why, and its abort listeners. An
 * AbortSignal is one; so is an AbortScope.
 */
export interface AbortSource {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * An abort that makes no AbortSignal until one is asked for. On Node 20 making an AbortSignal costs
 * microseconds (an EventTarget that can be transferred); a router call's own abort is mostly followed
 * only by its attempts' LinkedAborts, which listen here directly. `signal` makes one on first use.
 * Listeners are called once, in the order added, when it aborts.
 */
export class AbortScope implements AbortSource {
  aborted = false;
  reason: unknown = undefined;
  private listeners?: Set<() => void>;
  private controller?: AbortController;

  addEventListener(_type: 'abort', listener: () => void): void {
    if (!this.aborted) (this.listeners ??= new Set()).add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.listeners?.delete(listener);
  }

  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    this.controller?.abort(reason);
    if (listeners) for (const listener of listeners) listener();
  }

  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** An AbortSignal that follows this scope, made on first use. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }
}

/**
 * An abort that also aborts when `parent` does (with the parent's reason): an attempt's, under its
 * call's. Cheaper than `AbortSignal.any()`, which on Node 20 keeps weak references and a finalization
 * registry per signal, and than an AbortController per attempt: the router's own waits listen here
 * directly, and an AbortSignal is made only for whoever reads `signal` (the provider). Call `dispose()`
 * when done, so a long-lived parent does not keep the listener.
 */
export class LinkedAbort extends AbortScope {
  private readonly forward = () => this.abort(this.parent?.reason);

  constructor(private readonly parent?: AbortSource) {
    super();
    if (!parent) return;
    if (parent.aborted) this.abort(parent.reason);
    else parent.addEventListener('abort', this.forward, { once: true });
  }

  dispose(): void {
    this.parent?.removeEventListener('abort', this.forward);
  }
}

/**
 * A provider's call options whose `signal` is the scope's AbortSignal, made when the provider first
 * reads it (an own getter: a spread or a destructuring reads it too). A provider that answers without
 * looking at its signal (a cache, the mock with no latency) then costs the call no AbortSignal. A
 * provider may still assign `options.signal` (one of its own, say), as on a plain object.
 */
export function signalOptions(scope: AbortScope): { signal: AbortSignal } {
  return {
    get signal() {
      return scope.signal;
    },
    set signal(value: AbortSignal) {
      Object.defineProperty(this, 'signal', { value, writable: true, enumerable: true, configurable: true });
    },
  };
}
