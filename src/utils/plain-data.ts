import { RESERVED_KEYS } from './own.js';

/**
 * An object literal (or Object.create(null)): its prototype is a root prototype. Checked by shape,
 * not by identity with Object.prototype, so objects from another realm (structuredClone's copies
 * under a test sandbox, a vm context) count too.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Arrays, plain objects and primitives all the way down: what structuredClone copies faithfully. */
export function isPlainData(value: unknown, depth = 0): boolean {
  if (typeof value === 'function' || typeof value === 'symbol') return false;
  if (value === null || typeof value !== 'object') return true;
  if (depth > 32 || !(Array.isArray(value) || isPlainObject(value))) return false;
  return Object.values(value).every((item) => isPlainData(item, depth + 1));
}

/**
 * The first reserved key (`__proto__`, `constructor`, `prototype`) an own property of a list or plain
 * object has, at any depth up to `maxDepth`; class instances are not looked into. Each object is
 * visited once, so a cycle costs nothing.
 */
export function findReservedKey(value: unknown, maxDepth = 32): string | undefined {
  const seen = new Set<object>();
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (depth > maxDepth || !(Array.isArray(item) || isPlainObject(item)) || seen.has(item)) continue;
    seen.add(item);
    for (const key of Object.keys(item)) {
      if (RESERVED_KEYS.has(key)) return key;
      stack.push([(item as Record<string, unknown>)[key], depth + 1]);
    }
  }
  return undefined;
}
