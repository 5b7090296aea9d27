import { getMetadataStorage } from 'class-validator';
import { invalidRequest } from './request-validation.js';

/**
 * Limits on the shape of a request body, checked before class-transformer and class-validator see
 * it: their work grows with nesting (a stack overflow past a few thousand levels) and with the keys of
 * one object (quadratically), so a small body could otherwise hold the event loop for minutes.
 */
export const BODY_LIMITS = Object.freeze({ depth: 64, values: 100_000, keysPerObject: 1000 });

/** What is wrong with the body's shape, or undefined. Walks without recursion, stopping at the first problem. */
export function bodyShapeProblem(body: unknown): { message: string; param: string | null } | undefined {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: body, depth: 0, path: '' }];
  let values = 0;
  while (stack.length) {
    const { value, depth, path } = stack.pop()!;
    if (++values > BODY_LIMITS.values) return { message: `The request body has more than ${BODY_LIMITS.values} values; that is the limit.`, param: null };
    if (value === null || typeof value !== 'object') continue;
    if (depth >= BODY_LIMITS.depth) return { message: `Invalid '${path}': nests deeper than ${BODY_LIMITS.depth} levels, the limit.`, param: path || null };
    if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push({ value: item, depth: depth + 1, path: `${path}[${index}]` }));
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > BODY_LIMITS.keysPerObject) return { message: `Invalid '${path || '(body)'}': an object with ${keys.length} keys; the limit is ${BODY_LIMITS.keysPerObject}.`, param: path || null };
    for (const key of keys) stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, path: path ? `${path}.${key}` : key });
  }
  return undefined;
}

/** The properties a DTO class declares (its class-validator rules), or undefined for a class with none. */
function declaredKeys(metatype: unknown): Set<string> | undefined {
  if (typeof metatype !== 'function') return undefined;
  if (KEYS.has(metatype)) return KEYS.get(metatype);
  const rules = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false);
  const keys = rules.length ? new Set(rules.map((rule) => rule.propertyName)) : undefined;
  KEYS.set(metatype, keys);
  return keys;
}

/** Declared keys per DTO class, read once (a class's decorators do not change). */
const KEYS = new WeakMap<object, Set<string> | undefined>();

/**
 * The body as the DTO will see it: the top-level fields the DTO does not declare are dropped (clients
 * send many; they would be dropped later anyway, and now cost no transform), then a body past
 * BODY_LIMITS is refused with a 400 naming where.
 */
export function shapedBody(value: unknown, metatype: unknown): unknown {
  const keys = declaredKeys(metatype);
  const known = keys && value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.fromEntries(Object.entries(value).filter(([key]) => keys.has(key))) : value;
  const problem = bodyShapeProblem(known);
  if (problem) throw invalidRequest(problem.message, problem.param);
  return known;
}
