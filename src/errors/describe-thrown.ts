/**
 * A readable text for whatever extension code threw or rejected with: an Error's message, a string,
 * an object's `message`, or its tag. Never throws itself, whatever the value does (a `message` getter
 * that throws, a null-prototype object, a Proxy whose traps throw, a revoked Proxy).
 */
export function describeThrown(value: unknown): string {
  try {
    if (typeof value === 'string') return value;
    if (value === null || value === undefined || typeof value !== 'object') return typeof value === 'symbol' ? value.toString() : String(value);
    const message = (value as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    return `a thrown ${Object.prototype.toString.call(value).slice(8, -1)} without a message`;
  } catch {
    return 'a thrown value that could not be read (reading its message threw)';
  }
}

/** The stack of a thrown value, if it has a readable one. */
export function stackOf(value: unknown): string | undefined {
  try {
    const stack = (value as { stack?: unknown } | null)?.stack;
    return typeof stack === 'string' ? stack : undefined;
  } catch {
    return undefined;
  }
}
