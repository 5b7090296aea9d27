import type { ConfigFieldDefinition } from '../definition/definition.interface.js';
import { isPlainObject } from '../utils/plain-data.js';

export const MASK = '***';

/** A copy of a config with every secret field's value replaced by `***`. */
export function maskConfig(fields: ConfigFieldDefinition[], config: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!config) return {};
  const secret = new Set(fields.filter((f) => f.secret).map((f) => f.name));
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, secret.has(key) && value !== undefined ? MASK : value]));
}

const isPlainContainer = (value: unknown): value is object => Array.isArray(value) || isPlainObject(value);

/** Every string and number inside a secret value (lists and plain objects, recursively), as text. */
function textsOf(value: unknown, out: string[], depth = 0): void {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'bigint') out.push(String(value));
  else if (isPlainContainer(value) && depth < 32) for (const item of Object.values(value)) textsOf(item, out, depth + 1);
}

/**
 * The secret values of a config, so text that extension code produces can be scrubbed of them: each
 * secret string and number, every string and number inside a secret list or object, and the JSON
 * form of those. Values shorter than 4 characters are left out (scrubbing them would mangle text);
 * longest first, so a value containing another is scrubbed whole.
 */
export function secretValues(fields: ConfigFieldDefinition[], config: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const field of fields) {
    const value = config[field.name];
    if (!field.secret || value === undefined || value === null) continue;
    if (isPlainContainer(value)) {
      try {
        found.push(JSON.stringify(value));
      } catch {
        // Not JSON (a bigint inside): its strings are still collected.
      }
    }
    textsOf(value, found);
  }
  return [...new Set(found)].filter((value) => value.length >= 4).sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of the given secrets in a text with `***`. */
export function redact(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) result = result.split(secret).join(MASK);
  return result;
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
