import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Type } from '@nestjs/common';
import YAML, { LineCounter } from 'yaml';
import { DEFAULT_IMPORT_TIMEOUT_MS, importModule } from '../../loading/module-loader.js';
import { ExtensionValidationError, type ExtensionIssue } from '../../errors/index.js';
import { invalidDefinitionMessage } from '../../errors/messages.js';
import { createDefinition } from '../definition.factory.js';
import type { ExtensionDefinition } from '../definition.interface.js';
import { checkDocument, MANIFEST_LIMITS } from './manifest-limits.js';
import { isClass, resolveServicePath } from './service-path.js';

function fail(file: string, name: string | undefined, issues: ExtensionIssue[]): never {
  throw new ExtensionValidationError(invalidDefinitionMessage(name, file, issues), name, issues, file);
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'empty' : `a ${typeof value}`;
}

/** Parses extension.yaml into a plain object, collecting every syntax problem and every limit exceeded. */
function parseManifest(file: string, text: string): Record<string, unknown> {
  const lineCounter = new LineCounter();
  // prettyErrors would append a code excerpt to the message (and set linePos); the position comes
  // from the line counter instead, so the message stays one line and the field names where.
  // uniqueKeys is checked by checkDocument: YAML's own check is quadratic in the keys of a mapping.
  const doc = YAML.parseDocument(text, { uniqueKeys: false, lineCounter, prettyErrors: false });
  const issues: ExtensionIssue[] = doc.errors.map((error) => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    // The parser gives up on deep nesting (a stack overflow): that is the depth limit.
    const message = error.code === 'RESOURCE_EXHAUSTION' ? `nests deeper than ${MANIFEST_LIMITS.depth} levels, the limit` : `YAML syntax: ${error.message}`;
    return { field: `line ${line}, column ${col}`, message };
  });
  issues.push(...checkDocument(doc, lineCounter));
  if (issues.length) fail(file, undefined, issues);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MANIFEST_LIMITS.aliases });
  } catch (error) {
    const limit = `the limit is ${MANIFEST_LIMITS.aliases} aliases, counting what each one expands to`;
    fail(file, undefined, [{ field: '(yaml)', message: `${(error as Error).message} (${limit}); use fewer aliases` }]);
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
  const info = await stat(file);
  const size = info.size;
  // A device or a pipe named extension.yaml could be read forever.
  if (!info.isFile()) fail(file, undefined, [{ field: '(file)', message: 'is not a regular file' }]);
  if (size > MANIFEST_LIMITS.fileBytes) {
    const limit = MANIFEST_LIMITS.fileBytes;
    fail(file, undefined, [{ field: '(file)', message: `is ${size} bytes; a manifest may be at most ${limit} bytes (${limit / 1024} KiB). Shorten it: move long descriptions into a README, serve model families with a wildcard name` }]);
  }
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
