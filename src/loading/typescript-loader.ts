import { extname } from 'node:path';

const LOADER_ARGUMENT = /(^|[\s=/])(tsx|ts-node|@swc-node\/register|esbuild-register|@esbuild-kit)/;

/**
 * Whether `import()` of a .ts file can work in this process: under Jest (ts-jest), tsx, or a Node that
 * strips types itself. ts-node is detected too, though its ESM loader (10.9) cannot load NestJS 12 on
 * Node 20: it resolves `@nestjs/common/utils/shared.utils.js` to `shared.utils.js.js`.
 */
export function isTypeScriptLoaderActive(): boolean {
  if (process.env.JEST_WORKER_ID !== undefined) return true;
  if ((process as unknown as Record<symbol, unknown>)[Symbol.for('ts-node.register.instance')]) return true;
  if ((process.features as { typescript?: unknown }).typescript) return true;
  return LOADER_ARGUMENT.test([...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' '));
}

export const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

export function isTypeScriptFile(file: string): boolean {
  return ['.ts', '.mts'].includes(extname(file));
}

/**
 * Of the files that are one module (x.ts, x.js), the one to import: the source under a TypeScript
 * loader, the compiled file otherwise. A lone .ts file is returned either way so the caller can
 * report it with a hint.
 */
export function pickModuleFile(candidates: string[], typescript: boolean): string | undefined {
  const ts = candidates.filter(isTypeScriptFile);
  const js = candidates.filter((file) => !isTypeScriptFile(file));
  return (typescript ? (ts[0] ?? js[0]) : (js[0] ?? ts[0]));
}
