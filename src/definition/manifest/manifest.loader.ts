import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Type } from '@nestjs/common';
import YAML, { isScalar, LineCounter } from 'yaml';
import { DEFAULT_IMPORT_TIMEOUT_MS, importModule } from '../../loading/module-loader.js';
import { ExtensionValidationError, type ExtensionIssue } from '../../errors/index.js';
import { invalidDefinitionMessage } from '../../errors/messages.js';
import { createDefinition } from '../definition.factory.js';
import type { ExtensionDefinition } from '../definition.interface.js';
import { RESERVED_KEYS } from '../../utils/own.js';
import { isClass, resolveServicePath } from './service-path.js';

/** Aliases beyond this count are treated as an alias bomb and refused before they expand. */
const MAX_ALIASES = 100;

function fail(file: string, name: string | undefined, issues: ExtensionIssue[]): never {
  throw new ExtensionValidationError(invalidDefinitionMessage(name, file, issues), name, issues, file);
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'empty' : `a ${typeof value}`;
}

/** Parses extension.yaml into a plain object, collecting every syntax problem. */
function parseManifest(file: string, text: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  // prettyErrors would append a code excerpt to the message (and set linePos); the position comes
  // from the line counter instead, so the message stays one line and the field names where.
  const doc = YAML.parseDocument(text, { uniqueKeys: true, lineCounter, prettyErrors: false });
  const issues: ExtensionIssue[] = doc.errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return { field: `line ${line}, column ${col}`, message: `YAML syntax: ${error.message}` };
  });
  YAML.visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && RESERVED_KEYS.has(String(pair.key.value))) {
        const line = pair.key.range ? lineCounter.linePos(pair.key.range[0]).line : '?';
        issues.push({ field: String(pair.key.value), message: `(line ${line}) is a reserved key and not allowed in a manifest; remove it` });
      }
    },
  });
  if (issues.length) fail(file, undefined, issues);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    fail(file, undefined, [{ field: '(yaml)', message: `${(error as Error).message}; use fewer aliases` }]);
  }
  if (raw === null || raw === undefined) {
    fail(file, undefined, [{ field: '(file)', message: 'is empty; a manifest needs at least name and service.class_path' }]);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    fail(file, undefined, [{ field: '(file)', message: `must be a mapping of keys (name, models, ...), got ${kindOf(raw)}` }]);
  }
  return raw as Record<string, unknown>;
}

/**
 * Reads and validates an extension.yaml. The service module is not imported here: `loadClass()`
 * does that, after the manager has checked the packages it needs.
 */
export async function loadManifest(file: string, typescript: boolean, importTimeoutMs = DEFAULT_IMPORT_TIMEOUT_MS): Promise<ExtensionDefinition> {
  const raw = parseManifest(file, await readFile(file, 'utf8'));
  const root = dirname(file);
  const name = typeof raw.name === 'string' ? raw.name : undefined;
  const classPath = (raw.service as Record<string, unknown> | undefined)?.class_path;
  const resolved = typeof classPath === 'string' ? resolveServicePath(root, classPath, typescript) : undefined;
  let definition: ExtensionDefinition;
  try {
    definition = createDefinition(raw, {
      style: 'config',
      source: file,
      root,
      loadClass: async () => {
        if (!resolved || 'issue' in resolved) throw new Error('unreachable: service path was validated');
        const exports = await importModule(resolved.file, name, typescript, importTimeoutMs);
        const value = exports[resolved.exportName];
        if (value === undefined) {
          const exported = Object.keys(exports).join(', ') || 'nothing';
          fail(file, name, [
            { field: 'service.class_path', message: `${resolved.file} does not export "${resolved.exportName}" (it exports ${exported})` },
          ]);
        }
        if (!isClass(value)) {
          fail(file, name, [
            { field: 'service.class_path', message: `"${resolved.exportName}" in ${resolved.file} is ${typeof value === 'function' ? 'a function' : kindOf(value)}, not a class` },
          ]);
        }
        return value as Type<unknown>;
      },
    });
  } catch (error) {
    // Report a bad class_path together with the other problems of the manifest.
    if (error instanceof ExtensionValidationError && resolved && 'issue' in resolved) {
      fail(file, name, [...error.issues, resolved.issue]);
    }
    throw error;
  }
  if (resolved && 'issue' in resolved) fail(file, name, [resolved.issue]);
  return definition;
}
