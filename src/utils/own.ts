/**
 * Names that plain objects already have through Object.prototype. A user-chosen name (an extension,
 * a config field, a model) looked up on a plain object must only find own properties: `options.x.constructor`
 * is Object itself.
 */

/** Keys that reach or replace an object's prototype when read or written on a plain object. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Every property of Object.prototype (toString, valueOf, hasOwnProperty, ...), plus `prototype`. */
export const OBJECT_PROTOTYPE_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** `record[key]` when it is the record's own property; undefined otherwise (never an inherited one). */
export function ownValue<T>(record: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return record !== null && record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Sets an own, enumerable property, even for a key such as `__proto__` that `record[key] = value` would not create. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}
