import type { ExtensionIssue } from '../../errors/index.js';
import { RESERVED_KEYS } from '../../utils/own.js';
import { isPlainObject } from '../../utils/plain-data.js';
import { MANIFEST_LIMITS } from './manifest-limits.js';

export const RESERVED_KEY_MESSAGE = 'is a reserved key and not allowed in a manifest; remove or rename it';

function copy(value: unknown, path: string, issues: ExtensionIssue[], fieldNames: boolean, depth = 0): unknown {
  if (!Array.isArray(value) && !isPlainObject(value)) return value;
  // Decorator options may nest without end (a default that contains itself).
  if (depth >= MANIFEST_LIMITS.depth) {
    issues.push({ field: path, message: `nests deeper than ${MANIFEST_LIMITS.depth} levels, the limit` });
    return undefined;
  }
  if (Array.isArray(value)) return value.map((item, index) => copy(item, `${path}[${index}]`, issues, false, depth + 1));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const at = path ? `${path}.${key}` : key;
    if (RESERVED_KEYS.has(key)) {
      if (!fieldNames) issues.push({ field: at, message: RESERVED_KEY_MESSAGE });
      continue;
    }
    out[key] = copy(value[key], at, issues, path === '' && key === 'config', depth + 1);
  }
  return out;
}

/**
 * A copy of manifest-shaped data (from YAML, or from decorator options) without the keys
 * `__proto__`, `constructor` and `prototype`, which class-transformer would follow into prototypes,
 * and an issue for each at its path. Keys right under `config` are field names: they are left out
 * too, but the caller reports them, as field names.
 */
export function withoutReservedKeys(raw: Record<string, unknown>): { copy: Record<string, unknown>; issues: ExtensionIssue[] } {
  const issues: ExtensionIssue[] = [];
  return { copy: copy(raw, '', issues, false) as Record<string, unknown>, issues };
}
