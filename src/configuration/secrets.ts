import type { ConfigFieldDefinition } from '../definition/definition.interface.js';

export const MASK = '***';

/** A copy of a config with every secret field's value replaced by `***`. */
export function maskConfig(fields: ConfigFieldDefinition[], config: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!config) return {};
  const secret = new Set(fields.filter((f) => f.secret).map((f) => f.name));
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, secret.has(key) && value !== undefined ? MASK : value]));
}

/** The secret values of a config, so text that extension code produces can be scrubbed of them. */
export function secretValues(fields: ConfigFieldDefinition[], config: Record<string, unknown>): string[] {
  return fields
    .filter((f) => f.secret && config[f.name] !== undefined && config[f.name] !== null)
    .map((f) => (typeof config[f.name] === 'string' ? (config[f.name] as string) : JSON.stringify(config[f.name])))
    .filter((value) => value.length >= 4);
}

/** Replaces every occurrence of the given secrets in a text with `***`. */
export function redact(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join(MASK);
  return result;
}

/** Deep copy of plain data with every string scrubbed of the secrets (for health details). */
export function redactDeep<T>(value: T, secrets: string[]): T {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return redact(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, secrets)])) as T;
  }
  return value;
}

function rewrite(target: object, key: 'message' | 'stack', secrets: Iterable<string>): void {
  const value = (target as Record<string, unknown>)[key];
  if (typeof value !== 'string') return;
  const clean = redact(value, secrets);
  if (clean !== value) Object.defineProperty(target, key, { value: clean, writable: true, configurable: true, enumerable: false });
}

/**
 * An error that extension code threw, scrubbed of the secrets in its message, stack and causes, so it
 * can be logged or answered. A string is scrubbed; an error that cannot be changed is replaced.
 */
export function scrubError(error: unknown, secrets: string[], depth = 0): unknown {
  if (secrets.length === 0) return error;
  if (typeof error === 'string') return redact(error, secrets);
  if (!(error instanceof Error)) return error;
  try {
    rewrite(error, 'message', secrets);
    rewrite(error, 'stack', secrets);
    if (depth < 3 && error.cause !== undefined) {
      const cause = scrubError(error.cause, secrets, depth + 1);
      if (cause !== error.cause) Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true });
    }
    return error;
  } catch {
    return new Error(redact(String(error.message), secrets));
  }
}
