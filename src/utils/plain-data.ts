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
