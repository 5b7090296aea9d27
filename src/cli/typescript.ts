import { readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { isTypeScriptLoaderActive } from '../loading/typescript-loader.js';

/** How this run reads .ts extensions. */
export interface TypeScriptSupport {
  /** Whether .ts files are imported (false: they are reported as needing a build). */
  enabled: boolean;
  /** One line for the report: which loader, or what to do. */
  how: string;
}

/** The `typescript` package the project in `cwd` has installed, if any. */
function projectTypeScript(cwd: string): { main: string; version: string } | undefined {
  try {
    const main = createRequire(join(resolve(cwd), 'package.json')).resolve('typescript');
    let dir = dirname(main);
    while (!dir.endsWith('typescript') && dirname(dir) !== dir) dir = dirname(dir);
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
    return { main, version };
  } catch {
    return undefined;
  }
}

/**
 * A TypeScript loader already running this process (tsx, jest) is used as it is; otherwise the
 * project's own `typescript` compiles .ts extensions in memory; without either, .ts files are problems
 * that say to build them (validate the compiled folder) or to install typescript.
 */
export function enableTypeScript(cwd = process.cwd()): TypeScriptSupport {
  if (isTypeScriptLoaderActive()) return { enabled: true, how: 'read through the TypeScript loader this process runs under (tsx, jest)' };
  const typescript = projectTypeScript(cwd);
  if (!typescript) {
    return {
      enabled: false,
      how: 'not read: no TypeScript loader is active and no typescript package is installed here. Install typescript (npm i -D typescript), run under tsx (NODE_OPTIONS="--import tsx"), or build first and check the compiled folder (dist/extensions)',
    };
  }
  register('./ts-hooks.js', import.meta.url, { data: { typescript: typescript.main } });
  return { enabled: true, how: `compiled in memory with this project's typescript ${typescript.version} (decorator metadata on; your app itself runs the build, or tsx)` };
}
