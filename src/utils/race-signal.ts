/** `work`, unless `signal` aborts first: then its reason. Whoever ignores its signal (a provider, a hung call) cannot hold the caller past it. */
export function raceSignal<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  let stop!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    stop = () => reject(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => {
    signal.removeEventListener('abort', stop);
    work.catch(() => undefined);
    aborted.catch(() => undefined);
  });
}
