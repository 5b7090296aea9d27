import { AsyncLocalStorage } from 'node:async_hooks';

const noop = () => undefined;

/**
 * Runs operations one after another per key. An operation holding several keys waits for the last
 * operation on each of them, so operations on extensions that depend on each other never interleave,
 * while unrelated extensions proceed in parallel. Keys are taken all at once at call time, so two
 * operations cannot wait for each other.
 *
 * Re-entrant: code running inside an operation (an extension's start() calling the manager, say) that
 * asks for keys it already holds runs at once instead of queueing behind itself.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly held = new AsyncLocalStorage<ReadonlySet<string>>();
  /** Operations running now (not waiting for their keys). */
  private active = 0;

  run<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const holding = this.held.getStore();
    if (holding && keys.every((key) => holding.has(key))) return fn();
    const previous: Promise<void>[] = [];
    for (const key of keys) {
      const tail = this.tails.get(key);
      if (tail) previous.push(tail);
    }
    const mine = new Set([...(holding ?? []), ...keys]);
    const result = (previous.length ? Promise.all(previous) : Promise.resolve()).then(() => this.holding(mine, fn));
    const tail = result.then(noop, noop);
    for (const key of keys) this.tails.set(key, tail);
    // Forget finished keys, so the map holds only operations under way.
    void tail.then(() => {
      for (const key of keys) if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /**
   * Runs `fn` holding `keys`. When the last operation under way ends, the storage is disabled: on Node
   * 20 an AsyncLocalStorage in use installs promise hooks that tax every promise of the process (every
   * request the app serves), so it is on only while an operation runs; the next run() turns it on again.
   */
  private async holding<T>(keys: ReadonlySet<string>, fn: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await this.held.run(keys, fn);
    } finally {
      if (--this.active === 0) this.held.disable();
    }
  }
}
