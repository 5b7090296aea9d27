/** Node's timers hold at most 2^31 - 1 ms; a larger value fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * What is wrong with a time limit in ms, or undefined when a timer can honour it: a finite number,
 * positive (or 0 when `allowZero`), up to MAX_TIMER_MS.
 */
export function timeLimitProblem(value: unknown, allowZero = false): string | undefined {
  const ok = typeof value === 'number' && Number.isFinite(value) && (allowZero ? value >= 0 : value > 0) && value <= MAX_TIMER_MS;
  if (ok) return undefined;
  const shown = typeof value === 'number' ? String(value) : typeof value === 'string' ? JSON.stringify(value) : typeof value;
  return `must be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds up to ${MAX_TIMER_MS} (got ${shown})`;
}
