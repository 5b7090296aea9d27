import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import type { Type } from '@nestjs/common';
import { definitionFromClass, extensionAncestor, hasExtensionMetadata, isExtensionClass } from '../definition/decorator-definition.js';
import type { ExtensionDefinition } from '../definition/definition.interface.js';
import { loadManifest } from '../definition/manifest/manifest.loader.js';
import { ExtensionError, ExtensionLoadError, ExtensionValidationError } from '../errors/index.js';
import {
  duplicateNameError,
  emptySearchPathMessage,
  invalidDefinitionMessage,
  notAnExtensionFolderMessage,
  searchPathNotFolderMessage,
} from '../errors/messages.js';
import type { DiscoveryResult } from './discovery.interface.js';
import { checkImportTimeout, DEFAULT_IMPORT_TIMEOUT_MS, importModule } from '../loading/module-loader.js';
import { isTypeScriptLoaderActive, MODULE_EXTENSIONS, pickModuleFile } from '../loading/typescript-loader.js';
import { settleEach } from '../utils/map-limit.js';
import { setOwn } from '../utils/own.js';

const MANIFESTS = ['extension.yaml', 'extension.yml'];
const PACKAGE_ENTRIES = ['index', 'extension'];

function isSkipped(name: string): boolean {
  return (
    name.startsWith('_') ||
    name.startsWith('.') ||
    name === 'node_modules' ||
    name.endsWith('.d.ts') ||
    name.endsWith('.d.mts') ||
    /\.(spec|test)\.[mc]?[jt]s$/.test(name) ||
    /\.map$/.test(name)
  );
}

/** Groups module files by their name without extension, so x.ts and x.js are one module. */
function moduleGroups(files: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const file of files) {
    const ext = extname(file);
    if (!MODULE_EXTENSIONS.includes(ext)) continue;
    const stem = file.slice(0, -ext.length);
    groups.set(stem, [...(groups.get(stem) ?? []), file]);
  }
  return groups;
}

/** Exported subclasses of an extension class without an @Extension of their own: they would be nothing. */
function undecoratedHeirs(values: unknown[]): { field: string; message: string }[] {
  return values
    .filter((value): value is Type<unknown> => typeof value === 'function' && !hasExtensionMetadata(value))
    .flatMap((cls) => {
      const ancestor = extensionAncestor(cls);
      if (!ancestor) return [];
      const message = `extends the extension class ${ancestor.name} but has no @Extension of its own; a subclass is another extension: give it @Extension({ name }) with a name of its own`;
      return [{ field: cls.name, message }];
    });
}

/**
 * Imports a decorator-style module and reads every @Extension class it exports. A class an earlier
 * module of this scan exported already (a base class re-exported beside its subclass) is that one
 * extension, not a second one.
 */
async function definitionsFromModule(file: string, root: string, { typescript, importTimeoutMs, classes: seen }: ScanOptions): Promise<() => ExtensionDefinition[]> {
  const exports = await importModule(file, undefined, typescript, importTimeoutMs);
  const values = [...new Set(Object.values(exports))];
  const classes = values.filter(hasExtensionMetadata);
  const orphans = classes.filter((cls) => !isExtensionClass(cls));
  const issues = [
    ...orphans.map((cls) => ({
      field: (cls as { name: string }).name,
      message: 'has @Model/@ConfigField/@Requires/@Capability but no @Extension({ name }); add @Extension',
    })),
    ...undecoratedHeirs(values),
  ];
  if (issues.length) throw new ExtensionValidationError(invalidDefinitionMessage(undefined, file, issues), undefined, issues, file);
  // Claimed when the scan registers this module, in order: which module a shared class belongs to does
  // not depend on which import finished first.
  return () => {
    const fresh = classes.filter((cls) => !seen.has(cls));
    for (const cls of fresh) seen.add(cls);
    return fresh.map((cls) => definitionFromClass(cls as never, file, root));
  };
}

interface ScanOptions {
  typescript: boolean;
  importTimeoutMs: number;
  /** Every extension class this scan has read, by identity. */
  classes: Set<unknown>;
}

/** Entries of a search path read and imported at once during a scan. */
const SCAN_CONCURRENCY = 16;

/** Options of discover(). */
export interface DiscoverOptions {
  /** Whether to import .ts files; default: when a TypeScript loader (jest, tsx) is active. */
  typescript?: boolean;
  /**
   * How long importing one extension module may take, in ms; past it that extension is a problem
   * (its top-level code is stuck) and discovery goes on. Default 10000.
   */
  importTimeoutMs?: number;
}

/** One entry of a search path: a module (its .ts/.js files, one stem) or a folder. */
interface ScanUnit {
  path: string;
  /** Set for a module: the files that share the stem. */
  files?: string[];
}

/** Whether a folder's own entries include code (a module that is not a declaration file). */
function holdsModules(entries: string[]): boolean {
  return entries.some((name) => MODULE_EXTENSIONS.includes(extname(name)) && !isSkipped(name));
}

/**
 * Finds the extension(s) of one entry of a search path; a folder that is none is a warning. Imports and
 * reads run concurrently across entries; what it returns registers the definitions, called in order.
 */
async function scanUnit({ path, files }: ScanUnit, options: ScanOptions, warn: (message: string) => void): Promise<() => ExtensionDefinition[]> {
  const { typescript } = options;
  if (files) {
    const file = pickModuleFile(files, typescript)!;
    return definitionsFromModule(file, dirname(file), options);
  }
  const entries = await readdir(path);
  const manifests = MANIFESTS.filter((name) => entries.includes(name));
  if (manifests.length === 2) {
    const issues = [{ field: '(folder)', message: 'has both extension.yaml and extension.yml; keep one' }];
    throw new ExtensionValidationError(invalidDefinitionMessage(undefined, path, issues), undefined, issues, path);
  }
  if (manifests.length === 1) {
    const definition = await loadManifest(join(path, manifests[0]), typescript, options.importTimeoutMs);
    return () => [definition];
  }
  for (const entry of PACKAGE_ENTRIES) {
    const candidates = MODULE_EXTENSIONS.map((ext) => `${entry}${ext}`)
      .filter((name) => entries.includes(name))
      .map((name) => join(path, name));
    if (candidates.length) return definitionsFromModule(pickModuleFile(candidates, typescript)!, path, options);
  }
  warn(notAnExtensionFolderMessage(path, holdsModules(entries)));
  return () => [];
}

function asExtensionError(error: unknown, where: string): ExtensionError {
  if (error instanceof ExtensionError) return error;
  return new ExtensionLoadError(`Could not read ${where}: ${(error as Error).message}`, undefined, { cause: error });
}

/**
 * Scans search paths for extensions. A broken extension becomes a problem in the result; the scan of
 * everything else goes on.
 */
export async function discover(paths: string[] = ['extensions'], options: DiscoverOptions = {}): Promise<DiscoveryResult> {
  checkImportTimeout(options.importTimeoutMs);
  const scan: ScanOptions = {
    typescript: options.typescript ?? isTypeScriptLoaderActive(),
    importTimeoutMs: options.importTimeoutMs ?? DEFAULT_IMPORT_TIMEOUT_MS,
    classes: new Set(),
  };
  const result: DiscoveryResult = { definitions: [], problems: [], warnings: [], importMs: {} };
  const seen = new Map<string, string>();
  for (const searchPath of paths) {
    const base = resolve(searchPath);
    if (!existsSync(base) || !statSync(base).isDirectory()) {
      result.warnings.push(searchPathNotFolderMessage(base));
      continue;
    }
    const entries = (await readdir(base, { withFileTypes: true }))
      .filter((entry) => !isSkipped(entry.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    const groups = moduleGroups(entries.filter((e) => e.isFile()).map((e) => join(base, e.name)));
    const units: ScanUnit[] = [
      ...[...groups].map(([path, files]) => ({ path, files })),
      ...entries.filter((e) => e.isDirectory()).map((e) => ({ path: join(base, e.name) })),
    ].sort((a, b) => a.path.localeCompare(b.path));
    const found = { definitions: result.definitions.length, problems: result.problems.length };
    const folderWarnings: string[] = [];
    // Every entry's import and files at once (bounded); registered below in the entries' order.
    const scanned = await settleEach(units, SCAN_CONCURRENCY, async (unit) => {
      const began = performance.now();
      const warnings: string[] = [];
      const register = await scanUnit(unit, scan, (message) => warnings.push(message));
      return { register, warnings, took: Math.round(performance.now() - began) };
    });
    for (const [index, unit] of units.entries()) {
      try {
        const outcome = scanned[index];
        if (outcome.status === 'rejected') throw outcome.reason;
        const { register, warnings, took } = outcome.value;
        folderWarnings.push(...warnings);
        for (const definition of register()) {
          const first = seen.get(definition.name);
          if (first !== undefined) {
            result.problems.push(duplicateNameError(definition.name, first, definition.source));
            continue;
          }
          seen.set(definition.name, definition.source);
          result.definitions.push(definition);
          setOwn(result.importMs, definition.name, took);
        }
      } catch (error) {
        result.problems.push(asExtensionError(error, unit.path));
      }
    }
    // Nothing found and nothing broken: the path is wrong, or holds only what a build left incomplete.
    if (result.definitions.length === found.definitions && result.problems.length === found.problems) {
      result.warnings.push(emptySearchPathMessage(base));
    }
    result.warnings.push(...folderWarnings);
  }
  return result;
}
