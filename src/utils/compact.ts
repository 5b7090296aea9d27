/** A copy without the keys whose value is undefined: an option left out is not an option set wrong. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
