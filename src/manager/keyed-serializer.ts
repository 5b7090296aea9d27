const noop = () => undefined;

/**
 * Runs operations one after another per key. An operation holding several keys waits for the last
 * operation on each of them, so operations on extensions that depend on each other never interleave,
 * while unrelated extensions proceed in parallel. Keys are taken all at once at call time, so two
 * operations cannot wait for each other.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const previous: Promise<void>[] = [];
    for (const key of keys) {
      const tail = this.tails.get(key);
      if (tail) previous.push(tail);
    }
    const result = (previous.length ? Promise.all(previous) : Promise.resolve()).then(fn);
    const tail = result.then(noop, noop);
    for (const key of keys) this.tails.set(key, tail);
    // Forget finished keys, so the map holds only operations under way.
    void tail.then(() => {
      for (const key of keys) if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
