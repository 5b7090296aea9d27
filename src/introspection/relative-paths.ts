import { sep } from 'node:path';

/**
 * A copy of plain data in which absolute paths under the working directory are shown relative to it,
 * so introspection answers do not reveal where the app lives on disk.
 */
export function relativePaths<T>(value: T, cwd = process.cwd()): T {
  const prefix = cwd.endsWith(sep) ? cwd : cwd + sep;
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return item.split(prefix).join('');
    if (Array.isArray(item)) return item.map(walk);
    if (item && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([key, v]) => [key, walk(v)]));
    return item;
  };
  return walk(value) as T;
}
