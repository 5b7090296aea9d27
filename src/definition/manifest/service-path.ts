import { existsSync, realpathSync } from 'node:fs';
import { join, relative, isAbsolute, sep } from 'node:path';
import type { ExtensionIssue } from '../../errors/index.js';
import { MODULE_EXTENSIONS, pickModuleFile } from '../../loading/typescript-loader.js';

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const FIELD = 'service.class_path';

/** The shape of a class_path resolveServicePath accepts: dotted module segments, then an exported class name. */
export const CLASS_PATH = new RegExp(`^${SEGMENT.source.slice(1, -1)}(\\.${SEGMENT.source.slice(1, -1)})*\\.${IDENTIFIER.source.slice(1, -1)}$`);

export type ServicePath = { file: string; exportName: string } | { issue: ExtensionIssue };

function inside(root: string, file: string): boolean {
  const rel = relative(realpathSync(root), realpathSync(file));
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

/**
 * Resolves `service.class_path` (dotted module path relative to the extension folder, then the
 * exported class) to a file that must lie inside the folder.
 */
export function resolveServicePath(root: string, classPath: string, typescript: boolean): ServicePath {
  const parts = classPath.split('.');
  const exportName = parts.pop() ?? '';
  if (/[\\/]/.test(classPath) || parts.some((part) => !SEGMENT.test(part))) {
    return {
      issue: {
        field: FIELD,
        message: `"${classPath}" points outside the extension folder or is not a dotted module path; write it relative to the folder, e.g. service.MyProviderService`,
      },
    };
  }
  if (parts.length === 0 || !IDENTIFIER.test(exportName)) {
    return { issue: { field: FIELD, message: `"${classPath}" must be module.ClassName, e.g. service.MyProviderService` } };
  }
  const base = join(root, ...parts);
  const candidates = [
    ...MODULE_EXTENSIONS.map((ext) => base + ext),
    ...MODULE_EXTENSIONS.map((ext) => join(base, `index${ext}`)),
  ].filter((file) => existsSync(file));
  const file = pickModuleFile(candidates, typescript);
  if (!file) {
    return {
      issue: {
        field: FIELD,
        message: `module "${parts.join('.')}" not found: no ${parts.join('/')}.ts, .js or .mjs in ${root}; create it or fix the path`,
      },
    };
  }
  if (!inside(root, file)) {
    return { issue: { field: FIELD, message: `"${classPath}" resolves to ${file}, outside the extension folder` } };
  }
  return { file, exportName };
}

/** Whether a value is a class (not a plain function or an instance). */
export function isClass(value: unknown): value is new (...args: unknown[]) => unknown {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}
