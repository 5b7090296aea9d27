import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

/*
 * Node module hooks (module.register) that let the CLI read TypeScript extensions as they are written:
 * each .ts/.mts file outside node_modules is compiled in memory with the project's own `typescript`
 * (transpileModule: no type checking) with the options a Nest project uses, decorator metadata
 * included; a relative `./x.js` import finds `./x.ts` as nodenext projects write it.
 */

type Transpile = (source: string, options: object) => { outputText: string };
interface TypeScriptModule {
  transpileModule: Transpile;
  ModuleKind: Record<string, number>;
  ScriptTarget: Record<string, number>;
}

let typescriptPath = '';
let loaded: Promise<TypeScriptModule> | undefined;

export function initialize(data: { typescript: string }): void {
  typescriptPath = data.typescript;
}

/** The compiler, imported at the first .ts file (a run over compiled extensions never pays for it). */
function compiler(): Promise<TypeScriptModule> {
  loaded ??= import(pathToFileURL(typescriptPath).href).then((m: { default?: TypeScriptModule } & TypeScriptModule) => m.default ?? m);
  return loaded;
}

const TS_FILE = /\.m?ts$/;
const inNodeModules = (url: string) => url.includes('/node_modules/');

type Next = (specifier: string, context: object) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: { parentURL?: string }, next: Next): Promise<{ url: string }> {
  try {
    return await next(specifier, context);
  } catch (error) {
    const parent = context.parentURL ?? '';
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || !relative || !TS_FILE.test(parent) || !/\.m?js$/.test(specifier)) throw error;
    return next(specifier.replace(/js$/, 'ts'), context);
  }
}

type Loaded = { format?: string; source?: string | ArrayBuffer | Uint8Array; shortCircuit?: boolean };

export async function load(url: string, context: object, next: (url: string, context: object) => Promise<Loaded>): Promise<Loaded> {
  if (!url.startsWith('file:') || !TS_FILE.test(url) || inNodeModules(url) || url.endsWith('.d.ts')) return next(url, context);
  const fileName = fileURLToPath(url);
  const ts = await compiler();
  const { outputText } = ts.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      useDefineForClassFields: false,
      inlineSourceMap: true,
      inlineSources: true,
    },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
