/**
 * Runs `fn` (sync or async) with an AbortSignal. At `ms` the signal aborts (its reason is
 * `onTimeout()`) and the returned promise rejects with that error; a late result is ignored.
 */
export async function withDeadline<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, ms: number, onTimeout: () => Error): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = onTimeout();
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => fn(controller.signal)), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
