import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { isTypeScriptFile } from './typescript-loader.js';

/*
 * Node 20.19+ and 22.12+ load an ES module graph without top-level await synchronously through
 * require(): it links the new file alone, where each import() walks the whole graph the file reaches
 * (for an extension that imports this package's main entry, some 600 modules on Node 20).
 */

/**
 * Flags through which module customization hooks are registered, or may be (a preload can call
 * module.register()). On Node 20 such hooks apply to import() but not to require(): with any of them,
 * every extension file goes the import() way, as does everything it imports.
 */
const HOOK_FLAGS = /^(?:--import|--loader|--experimental-loader|--require|-r)(?:=|$)/;

function hooksMayBeRegistered(): boolean {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((flag) => HOOK_FLAGS.test(flag));
}

/** `GLEITZEIT_MODULE_LOADING=import` turns it off (hooks registered in code, without a flag). */
const requireModule =
  process.features.require_module === true && process.env.GLEITZEIT_MODULE_LOADING !== 'import' && !hooksMayBeRegistered()
    ? createRequire(import.meta.url)
    : undefined;

/** The `type` of the package.json nearest to each folder asked about. */
const packageTypes = new Map<string, string>();

function packageType(dir: string): string {
  const known = packageTypes.get(dir);
  if (known !== undefined) return known;
  let type: string;
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    type = (parsed as { type?: unknown })?.type === 'module' ? 'module' : 'commonjs';
  } catch (error) {
    const parent = dirname(dir);
    // No package.json here: the one above decides. One that cannot be read: not treated as ES modules.
    type = (error as NodeJS.ErrnoException).code === 'ENOENT' && parent !== dir ? packageType(parent) : 'commonjs';
  }
  packageTypes.set(dir, type);
  return type;
}

/** An ES module by its name: `.mjs`, or `.js` under a package.json with `"type": "module"`. */
function isEsModuleFile(file: string): boolean {
  const extension = extname(file);
  return extension === '.mjs' || (extension === '.js' && packageType(dirname(file)) === 'module');
}

/**
 * The module's namespace through require(), or undefined: not an ES module file (CommonJS, TypeScript),
 * a Node without require(esm), hooks that may be registered, or whatever require() cannot do as
 * import() would (top-level await, any error). Then import() loads it, or says what is wrong in its own
 * words; an ES module that threw is not run again (Node keeps its error). Under a test runner that
 * brings its own require (Jest), require() fails and import() is used.
 */
export function requireNamespace(file: string): Record<string, unknown> | undefined {
  if (!requireModule || isTypeScriptFile(file) || !isEsModuleFile(file)) return undefined;
  try {
    const loaded: unknown = requireModule(file);
    return Object.prototype.toString.call(loaded) === '[object Module]' ? (loaded as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
