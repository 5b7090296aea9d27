import { MASK, redact } from '../configuration/secrets.js';
import type { ExtensionHealth } from '../definition/definition.interface.js';
import { describeThrown } from '../errors/index.js';
import type { ExtensionRecord } from './manager.interface.js';

const SHAPE = 'healthCheck() must return { healthy: boolean }';
/** Health details are for people and probes: deeper or larger answers are a bug in the extension. */
const MAX_DEPTH = 20;
const MAX_VALUES = 10_000;

class NotJson extends Error {}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 40))}` : `a ${typeof value}`;
}

interface Walk {
  secrets: string[];
  seen: Set<object>;
  values: number;
}

/** A JSON-safe copy of plain data, scrubbed of the secrets (keys too); throws NotJson saying where it is not. */
function toJson(value: unknown, path: string, depth: number, walk: Walk): unknown {
  if (++walk.values > MAX_VALUES) throw new NotJson(`more than ${MAX_VALUES} values`);
  switch (typeof value) {
    case 'string':
      return redact(value, walk.secrets);
    case 'number':
      if (!Number.isFinite(value)) return null;
      return walk.secrets.includes(String(value)) ? MASK : value;
    case 'boolean':
      return value;
    case 'bigint':
      throw new NotJson(`a BigInt at ${path}`);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const object = value as Record<string, unknown>;
  if (walk.seen.has(object)) throw new NotJson(`a cycle at ${path}`);
  if (depth >= MAX_DEPTH) throw new NotJson(`nesting deeper than ${MAX_DEPTH} levels at ${path}`);
  walk.seen.add(object);
  try {
    if (typeof object.toJSON === 'function') {
      let json: unknown;
      try {
        json = (object.toJSON as () => unknown)();
      } catch (error) {
        throw new NotJson(`toJSON() threw at ${path}: ${describeThrown(error)}`);
      }
      return toJson(json, path, depth + 1, walk);
    }
    if (Array.isArray(object)) return object.map((item, index) => toJson(item, `${path}[${index}]`, depth + 1, walk) ?? null);
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(object)) {
      const item = toJson(object[key], `${path}.${key}`, depth + 1, walk);
      if (item !== undefined) Object.defineProperty(copy, redact(key, walk.secrets), { value: item, enumerable: true, writable: true, configurable: true });
    }
    return copy;
  } finally {
    walk.seen.delete(object);
  }
}

/**
 * The common answer, `{ healthy: true }` and a few flat facts, when there is no secret to mask: a
 * plain object of booleans, finite numbers and strings is copied as it is. Anything else: undefined.
 */
function flatCopy(result: object, secrets: string[]): Record<string, unknown> | undefined {
  if (secrets.length || Object.getPrototypeOf(result) !== Object.prototype) return undefined;
  const copy: Record<string, unknown> = {};
  for (const key in result) {
    const value = (result as Record<string, unknown>)[key];
    const flat = typeof value === 'boolean' || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
    if (!flat || key === '__proto__' || !Object.hasOwn(result, key)) return undefined;
    copy[key] = value;
  }
  return copy;
}

/**
 * What a healthCheck() returned, as the health answer: `healthy` must be a boolean (anything else is
 * down: health fails closed), the details must be plain JSON data (a BigInt, a cycle, a throwing
 * getter or toJSON, or nesting past 20 levels make this extension down, never a 500 for all), and
 * every secret is masked, in values and in keys; a detail named like a secret config field is `***`.
 */
export function healthFrom(result: unknown, record: ExtensionRecord, secrets: string[] = record.secrets): ExtensionHealth {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    return { healthy: false, message: `${SHAPE}; it returned ${redact(kind(result), secrets)}` };
  }
  let copy: Record<string, unknown>;
  try {
    const healthy = (result as { healthy?: unknown }).healthy;
    if (typeof healthy !== 'boolean') return { healthy: false, message: `${SHAPE}; healthy is ${redact(kind(healthy), secrets)}` };
    copy = flatCopy(result, secrets) ?? (toJson(result, 'details', 0, { secrets, seen: new Set(), values: 0 }) as Record<string, unknown>);
  } catch (error) {
    const why = error instanceof NotJson ? error.message : `reading it threw: ${describeThrown(error)}`;
    return { healthy: false, message: redact(`healthCheck() returned details that cannot be sent as JSON: ${why}`, secrets) };
  }
  for (const field of record.definition.configFields) {
    if (field.secret && Object.hasOwn(copy, field.name)) copy[field.name] = MASK;
  }
  return copy as unknown as ExtensionHealth;
}
